package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is a configuration problem, located in the file when possible.
type Error struct {
	File  string // path of the file, "" for the environment
	Line  int    // 1-based, 0 when unknown
	Field string // dotted path such as sources[1].kind
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads the configuration. path is the --config flag ("" when not
// given): then ADWATCH_CONFIG, then ./adwatch.yaml if it exists, else the
// defaults. An explicitly named file that does not exist is an error. getenv
// is os.Getenv in production and a map in tests.
func Load(path string, getenv func(string) string) (Config, error) {
	explicit := path != ""
	if path == "" {
		path = getenv("ADWATCH_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = "adwatch.yaml"
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !explicit:
		cfg := Default()
		if err := applyEnv(&cfg, getenv); err != nil {
			return Config{}, err
		}
		return cfg, cfg.Validate()
	default:
		return Config{}, &Error{File: path, Msg: fmt.Sprintf("cannot read configuration: %v", err)}
	}
	return Parse(path, data, getenv)
}

// Parse decodes a configuration file's bytes. ${VAR} in any value is replaced
// by the environment variable VAR (the place for secrets).
func Parse(file string, data []byte, getenv func(string) string) (Config, error) {
	cfg := Default()
	cfg.File = file
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, yamlError(file, nil, err)
	}
	lines := map[string]int{}
	if len(root.Content) > 0 {
		if err := expandNode(root.Content[0], getenv); err != nil {
			return Config{}, &Error{File: file, Msg: err.Error()}
		}
		index(root.Content[0], "", lines)
		// Unknown fields are found by a strict decode of the original text;
		// values are decoded from the expanded tree, so ${VAR} works anywhere.
		strict := yaml.NewDecoder(bytes.NewReader(data))
		strict.KnownFields(true)
		var probe Config
		if err := strict.Decode(&probe); err != nil && !isTypeOnly(err) {
			return Config{}, yamlError(file, lines, err)
		}
		if err := root.Content[0].Decode(&cfg); err != nil {
			return Config{}, yamlError(file, lines, err)
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.validate(lines); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// isTypeOnly reports whether a strict-decode error is only about value types,
// which the decode of the expanded tree reports better (${VAR} may stand for
// a number).
func isTypeOnly(err error) bool {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return false
	}
	for _, e := range te.Errors {
		if strings.Contains(e, "not found in type") || strings.Contains(e, "already set") {
			return false
		}
	}
	return true
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError turns a yaml error into an *Error naming the line and, where the
// line is known, the field.
func yamlError(file string, lines map[string]int, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		m := lineRE.FindStringSubmatch(te.Errors[0])
		if m != nil {
			n, _ := strconv.Atoi(m[1])
			return &Error{File: file, Line: n, Field: fieldAt(lines, n), Msg: cleanYAML(m[2])}
		}
		return &Error{File: file, Msg: cleanYAML(te.Errors[0])}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Msg: m[2]}
	}
	return &Error{File: file, Msg: msg}
}

func cleanYAML(s string) string {
	s = strings.ReplaceAll(s, "config.", "")
	s = strings.ReplaceAll(s, "adwatch.", "")
	return s
}

// fieldAt finds the dotted path whose key sits on line n.
func fieldAt(lines map[string]int, n int) string {
	best := ""
	for path, l := range lines {
		if l == n && len(path) > len(best) {
			best = path
		}
	}
	return best
}

// index records the line of every mapping key and sequence item by path.
func index(n *yaml.Node, path string, lines map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			lines[p] = k.Line
			index(v, p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = c.Line
			index(c, p, lines)
		}
	}
}

var varRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandNode replaces ${VAR} in scalar values. Expansion happens after
// parsing, so a secret containing YAML syntax cannot change the structure.
func expandNode(n *yaml.Node, getenv func(string) string) error {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		n.Value = varRE.ReplaceAllStringFunc(n.Value, func(m string) string {
			return getenv(m[2 : len(m)-1])
		})
		if n.Tag == "!!str" || n.Style != 0 {
			return nil
		}
		n.Tag = "" // let the decoder resolve the expanded value's type
	}
	for _, c := range n.Content {
		if err := expandNode(c, getenv); err != nil {
			return err
		}
	}
	return nil
}
