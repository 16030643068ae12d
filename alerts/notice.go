package alerts

import (
	"context"
	"errors"
	"fmt"
)

// Notice is a message for the operators rather than about an advertiser:
// a source that used to list items and now lists none (a selector broke, a
// feed moved). It is sent once per occurrence, not every night.
type Notice struct {
	Key     string // stable identity, e.g. "source-warning/dhs-notices"; receivers may deduplicate on it
	Subject string
	Text    string
}

// NoticeNotifier is a Notifier that can also deliver operator notices.
type NoticeNotifier interface {
	SendNotice(ctx context.Context, n Notice) error
}

// SendNotice delivers n on every notifier that can send notices. It tries
// them all and returns the failures joined: the caller records the notice
// as delivered only when none failed, so a failed one is tried again later.
func SendNotice(ctx context.Context, ns []Notifier, n Notice) error {
	var errs []error
	for _, x := range ns {
		nn, ok := x.(NoticeNotifier)
		if !ok {
			continue
		}
		if err := nn.SendNotice(ctx, n); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", x.Channel(), err))
		}
	}
	return errors.Join(errs...)
}
