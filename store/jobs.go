package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"
)

// QueueStat is how many jobs of one queue are in one state, and how long
// the oldest of them has been due (available, retryable) or running.
type QueueStat struct {
	Queue  string
	State  string
	Jobs   int
	Oldest time.Duration
}

// QueueStats reads the job queue's depth from River's table. Only the states
// that are still to do count: finished jobs are River's history.
func (db *DB) QueueStats(ctx context.Context) ([]QueueStat, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT queue, state::text, count(*),
			coalesce(extract(epoch FROM now() - min(CASE WHEN state = 'running' THEN attempted_at ELSE scheduled_at END)), 0)
		FROM river_job
		WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
		GROUP BY queue, state ORDER BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("queue stats: %w", err)
	}
	defer rows.Close()
	var out []QueueStat
	for rows.Next() {
		var q QueueStat
		var secs float64
		if err := rows.Scan(&q.Queue, &q.State, &q.Jobs, &secs); err != nil {
			return nil, fmt.Errorf("queue stats: %w", err)
		}
		q.Oldest = max(time.Duration(secs*float64(time.Second)), 0)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queue stats: %w", err)
	}
	return out, nil
}

// Lock is a PostgreSQL session advisory lock held on its own connection.
// If the process dies, the server closes the session and the lock is free:
// other processes can tell a live holder from a dead one.
type Lock struct {
	conn *sql.Conn
	key  int64
}

// lockKey maps a lock name to the advisory lock's 64-bit key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("adwatch:" + name))
	return int64(h.Sum64())
}

// TryLock takes the named lock if nobody holds it. It holds one connection
// of the pool until Release.
func (db *DB) TryLock(ctx context.Context, name string) (*Lock, bool, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	key := lockKey(name)
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return &Lock{conn: conn, key: key}, true, nil
}

// Release frees the lock and returns its connection to the pool.
func (l *Lock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", l.key); err != nil {
		// Closing the session releases it anyway; make sure the pool does
		// not hand out a connection that still holds it.
		l.conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // marks the connection bad
	}
	l.conn.Close()
}

// LockHeld reports whether any session holds the named lock.
func (db *DB) LockHeld(ctx context.Context, name string) (bool, error) {
	key := uint64(lockKey(name))
	var n int
	err := db.db.QueryRowContext(ctx, `
		SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND granted`,
		int64(key>>32), int64(key&0xffffffff)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("lock %s held: %w", name, err)
	}
	return n > 0, nil
}

// RunningJob is a job River shows as running.
type RunningJob struct {
	ID          int64
	Attempt     int
	AttemptedAt time.Time
	Args        []byte
}

// RunningJobs lists the jobs of a kind that have been running longer than
// minAge.
func (db *DB) RunningJobs(ctx context.Context, kind string, minAge time.Duration) ([]RunningJob, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, attempt, attempted_at, args FROM river_job
		WHERE kind = $1 AND state = 'running' AND attempted_at < now() - make_interval(secs => $2)
		ORDER BY id`, kind, minAge.Seconds())
	if err != nil {
		return nil, fmt.Errorf("running %s jobs: %w", kind, err)
	}
	defer rows.Close()
	var out []RunningJob
	for rows.Next() {
		var j RunningJob
		if err := rows.Scan(&j.ID, &j.Attempt, &j.AttemptedAt, &j.Args); err != nil {
			return nil, fmt.Errorf("running %s jobs: %w", kind, err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("running %s jobs: %w", kind, err)
	}
	return out, nil
}

// RequeueRunningJob makes a running job available again at once, recording
// why in its errors the way River's rescuer does. It changes nothing (and
// reports false) when the job has moved on from that attempt meanwhile.
func (db *DB) RequeueRunningJob(ctx context.Context, j RunningJob, reason string) (bool, error) {
	e, err := json.Marshal(map[string]any{"at": time.Now().UTC(), "attempt": j.Attempt, "error": reason, "trace": ""})
	if err != nil {
		return false, fmt.Errorf("requeue job %d: %w", j.ID, err)
	}
	res, err := db.db.ExecContext(ctx, `
		UPDATE river_job SET state = 'available', scheduled_at = now(), errors = array_append(errors, $3::jsonb)
		WHERE id = $1 AND state = 'running' AND attempt = $2`, j.ID, j.Attempt, string(e))
	if err != nil {
		return false, fmt.Errorf("requeue job %d: %w", j.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("requeue job %d: %w", j.ID, err)
	}
	return n == 1, nil
}
