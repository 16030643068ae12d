package main

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"adwatch/config"
)

// TestDeployConfigIsValid keeps the Kubernetes example's adwatch.yaml in step
// with the configuration package.
func TestDeployConfigIsValid(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../deploy/kubernetes/configmap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	if err := yaml.Unmarshal(raw, &cm); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ADWATCH_SLACK_WEBHOOK_URL": "https://hooks.example.com/services/T/B/X"}
	cfg, err := config.Parse("configmap.yaml", []byte(cm.Data["adwatch.yaml"]), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("deploy/kubernetes/configmap.yaml: %v", err)
	}
	if _, err := periodicJobs(cfg); err != nil {
		t.Errorf("schedules: %v", err)
	}
	if got := strings.Join(cfg.Channels(), ","); got != "console,slack" {
		t.Errorf("channels: got %s, want console,slack", got)
	}
}
