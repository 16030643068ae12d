package email

import (
	"testing"

	"adwatch/alerts"
	"adwatch/alerts/internal/alerttest"
)

func BenchmarkRender(b *testing.B) {
	a := alerttest.DHS()
	links := alerts.Links{BaseURL: "http://127.0.0.1:8080"}
	for b.Loop() {
		if _, _, err := render(a, links); err != nil {
			b.Fatal(err)
		}
	}
}
