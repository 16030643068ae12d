package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Login throttling: bcrypt makes each guess slow, this makes many guesses
// impossible. Failures are counted per client address and user name, in
// memory: a restart forgets them, which is acceptable for a speed bump.
const (
	maxLoginFailures = 10
	loginWindow      = 15 * time.Minute
	maxTracked       = 10000 // bounds memory under a spray of names
)

type throttle struct {
	mu       sync.Mutex
	failures map[string]*failures
	now      func() time.Time
}

type failures struct {
	n     int
	first time.Time
}

func newThrottle() *throttle {
	return &throttle{failures: map[string]*failures{}, now: time.Now}
}

func loginKey(r *http.Request, name string) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host + "\x00" + strings.ToLower(name)
}

// blocked reports whether key has used up its failures in the window.
func (t *throttle) blocked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.failures[key]
	if !ok {
		return false
	}
	if t.now().Sub(f.first) > loginWindow {
		delete(t.failures, key)
		return false
	}
	return f.n >= maxLoginFailures
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.failures) >= maxTracked {
		for k, f := range t.failures {
			if now.Sub(f.first) > loginWindow {
				delete(t.failures, k)
			}
		}
	}
	f, ok := t.failures[key]
	if !ok || now.Sub(f.first) > loginWindow {
		if !ok && len(t.failures) >= maxTracked {
			return // full of live entries; bcrypt still slows this client
		}
		f = &failures{first: now}
		t.failures[key] = f
	}
	f.n++
}

func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}
