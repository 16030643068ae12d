package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"adwatch"
)

// Routing modes: what happens to an alert on one channel.
const (
	RouteImmediate = "immediate" // sent at once by a delivery job
	RouteDigest    = "digest"    // waits for the channel's next digest
	RouteNone      = "none"      // not sent on this channel
)

// DefaultDigestSchedule sends digests every morning (UTC).
const DefaultDigestSchedule = "0 7 * * *"

// DefaultRescreenDays is how far back new advertisers are screened.
const DefaultRescreenDays = 365

// Route is one routing rule. A rule applies to an alert when every field it
// sets matches (an empty field matches everything); the first rule of a
// channel that applies decides the mode.
type Route struct {
	Kind        adwatch.Kind `yaml:"kind"`        // government | press
	MinScore    float64      `yaml:"min_score"`   // the alert's score is at least this
	Sources     []string     `yaml:"sources"`     // the document's source is one of these
	Advertisers []string     `yaml:"advertisers"` // the advertiser's CSV id is one of these
	Mode        string       `yaml:"mode"`        // immediate | digest | none
}

// Routes maps a channel (slack, email, console, webhook, or "default" for
// channels without rules of their own) to its rules. An alert no rule
// applies to is sent immediately, so no routes at all means every alert goes
// at once to every configured channel.
type Routes map[string][]Route

var routeChannels = map[string]bool{"slack": true, "email": true, "console": true, "webhook": true, "default": true}

// Mode is the mode for alert a on channel.
func (r Routes) Mode(a adwatch.Alert, channel string) string {
	rules, ok := r[channel]
	if !ok {
		rules = r["default"]
	}
	for _, rule := range rules {
		if rule.applies(a) {
			return rule.Mode
		}
	}
	return RouteImmediate
}

// Digests lists the channels, among those given, that some rule may route
// to a digest: each needs a digest job.
func (r Routes) Digests(channels []string) []string {
	var out []string
	for _, ch := range channels {
		rules, ok := r[ch]
		if !ok {
			rules = r["default"]
		}
		for _, rule := range rules {
			if rule.Mode == RouteDigest {
				out = append(out, ch)
				break
			}
		}
	}
	return out
}

func (rule Route) applies(a adwatch.Alert) bool {
	if rule.Kind != "" && rule.Kind != a.Kind {
		return false
	}
	if a.Score < rule.MinScore {
		return false
	}
	if len(rule.Sources) > 0 && !contains(rule.Sources, a.Source) {
		return false
	}
	if len(rule.Advertisers) > 0 && !contains(rule.Advertisers, a.AdvertiserID) {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var routeFields = map[string]bool{"kind": true, "min_score": true, "sources": true, "advertisers": true, "mode": true}

// UnmarshalYAML decodes and checks the rules where they are written, so a
// mistake is reported with its line (the returned TypeError carries it).
func (r *Routes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return typeError(n, "alerts.routes: must map channel names to lists of rules")
	}
	out := Routes{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ch := k.Value
		if !routeChannels[ch] {
			return typeError(k, "alerts.routes.%s: unknown channel (slack, email, console, webhook or default)", ch)
		}
		if v.Kind != yaml.SequenceNode {
			return typeError(v, "alerts.routes.%s: must be a list of rules", ch)
		}
		for j, item := range v.Content {
			field := fmt.Sprintf("alerts.routes.%s[%d]", ch, j)
			rule, err := decodeRoute(item, field)
			if err != nil {
				return err
			}
			out[ch] = append(out[ch], rule)
		}
	}
	*r = out
	return nil
}

func decodeRoute(n *yaml.Node, field string) (Route, error) {
	var rule Route
	if n.Kind != yaml.MappingNode {
		return rule, typeError(n, "%s: must be a rule such as {kind: press, mode: digest}", field)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !routeFields[k.Value] {
			return rule, typeError(k, "%s: unknown field %q (kind, min_score, sources, advertisers, mode)", field, k.Value)
		}
	}
	if err := n.Decode(&rule); err != nil {
		return rule, typeError(n, "%s: %v", field, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	switch {
	case rule.Kind != "" && !rule.Kind.Valid():
		return rule, typeError(n, "%s.kind: must be government or press, got %q", field, rule.Kind)
	case rule.MinScore < 0 || rule.MinScore > 1:
		return rule, typeError(n, "%s.min_score: must be between 0 and 1", field)
	}
	switch rule.Mode {
	case RouteImmediate, RouteDigest, RouteNone:
	default:
		return rule, typeError(n, "%s.mode: must be immediate, digest or none, got %q", field, rule.Mode)
	}
	return rule, nil
}

// Schedule is a cron schedule, checked when it is read.
type Schedule string

// UnmarshalYAML checks the schedule where it is written.
func (s *Schedule) UnmarshalYAML(n *yaml.Node) error {
	var v string
	if err := n.Decode(&v); err != nil {
		return err
	}
	if _, err := CronParser.Parse(v); err != nil {
		return typeError(n, "invalid cron schedule %q: %v", v, err)
	}
	*s = Schedule(v)
	return nil
}

// Days is a positive number of days, checked when it is read.
type Days int

// UnmarshalYAML checks the number where it is written.
func (d *Days) UnmarshalYAML(n *yaml.Node) error {
	var v int
	if err := n.Decode(&v); err != nil {
		return err
	}
	if v < 1 {
		return typeError(n, "must be at least 1 day, got %d", v)
	}
	*d = Days(v)
	return nil
}

// typeError reports a problem at n's line the way the YAML decoder reports
// its own, so Parse names the file, line and field.
func typeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, fmt.Sprintf(format, args...))}}
}
