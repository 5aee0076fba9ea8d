package commands

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/browser"
)

// TestDemoHTMLInChromium writes the demo's HTML report with -o and opens
// it in headless Chromium: both apps' timelines are drawn, v41's
// regression is among the findings, and the page asks for nothing but
// itself and logs nothing.
func TestDemoHTMLInChromium(t *testing.T) {
	if _, err := browser.Find(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	out := filepath.Join(t.TempDir(), "report.html")
	if code := h.run("diagnose", "--demo", "--demo-servers=false", "--format", "html", "-o", out); code != 2 {
		t.Fatalf("exit %d\n%s", code, h.errOut.String())
	}
	if h.out.Len() != 0 {
		t.Errorf("-o wrote to stdout too: %q", h.out.String()[:min(h.out.Len(), 200)])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p, err := browser.Open(ctx, out, 1200)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Faults(color.RGBA{0xcf, 0x22, 0x2e, 0xff}) { // the 5xx red
		t.Error(f)
	}
	// acme-prod: requests, errors, latency, memory; acme-edge: requests and
	// latency (no error to draw, no memory line on Fir).
	if p.SVGs != 6 {
		t.Errorf("%d charts, want 6", p.SVGs)
	}
	for _, want := range []string{"Timeline of acme-prod", "Timeline of acme-edge", "Memory per dyno (MB), against the quota",
		"acme-prod · v41 · DEPLOY_REGRESSION", "heroku releases:rollback v40 -a acme-prod", "REDACTED"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	for _, secret := range []string{"pa55w0rd-in-db-url", "redis-secret-xyz123"} {
		if strings.Contains(p.Text, secret) {
			t.Errorf("the page shows the secret %q", secret)
		}
	}
	if dir := os.Getenv("HEROKU_CHECKUP_KEEP_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "demo.png"), p.Screenshot, 0o644)
	}
}
