package store

import (
	"context"
	"fmt"
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
