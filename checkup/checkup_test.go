package checkup

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// domainsCheck is a part that needs only the domains and says when its
// jobs were built.
type domainsCheck struct {
	built chan int
}

func (c *domainsCheck) Category() report.Category  { return report.CategoryDNS }
func (c *domainsCheck) Needs() []platform.Resource { return []platform.Resource{platform.ResDomains} }
func (c *domainsCheck) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	c.built <- len(s.CustomDomains())
	return nil, nil
}

// TestPartStartsWhenItsInputsAreIn: a part runs as soon as the resources it
// needs are read, while a read it does not need still hangs.
func TestPartStartsWhenItsInputsAreIn(t *testing.T) {
	api := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer api.Close()
	api.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
	api.Hang(`/dynos$`)
	u, _ := url.Parse(api.URL)
	client := heroku.New(heroku.Config{APIURL: u, Token: "tok"})
	check := &domainsCheck{built: make(chan int, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Deps{API: client, Parts: []Part{&PlatformPart{}, check}},
			Options{Apps: []string{"acme-prod"}, CallTimeout: 10 * time.Second})
		done <- err
	}()
	select {
	case n := <-check.built:
		if n != 2 {
			t.Errorf("the part saw %d custom domains, want 2", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the domains part waited for the hung dynos read")
	}
	cancel()
	<-done
}

func TestParts(t *testing.T) {
	only, err := ParseParts([]string{"dns,tls", "tls"})
	if err != nil || len(only) != 2 {
		t.Fatalf("ParseParts: %v %v", only, err)
	}
	got := SelectParts(only, []report.Category{report.CategoryTLS})
	if len(got) != 1 || got[0] != report.CategoryDNS {
		t.Errorf("SelectParts = %v", got)
	}
	if all := SelectParts(nil, []report.Category{report.CategoryLogs}); len(all) != len(report.Categories)-1 {
		t.Errorf("skip logs = %v", all)
	}
	if _, err := ParseParts([]string{"dns,bogus"}); err == nil || !strings.Contains(err.Error(), "unknown part \"bogus\"") {
		t.Errorf("bad part: %v", err)
	}
}

// panicking is a part whose building of jobs panics (a bug on odd input).
type panicking struct{}

func (panicking) Category() report.Category  { return report.CategoryDNS }
func (panicking) Needs() []platform.Resource { return []platform.Resource{platform.ResDomains} }
func (panicking) Jobs(context.Context, *platform.Snapshot) ([]runner.Job, error) {
	panic("odd domain")
}

// TestPartPanicIsAFinding: a part that panics outside its jobs is one
// CHECK_ERROR finding; the run and the other parts carry on.
func TestPartPanicIsAFinding(t *testing.T) {
	api := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer api.Close()
	api.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
	u, _ := url.Parse(api.URL)
	client := heroku.New(heroku.Config{APIURL: u, Token: "tok"})
	res, err := Run(context.Background(), Deps{API: client, Parts: []Part{&PlatformPart{}, panicking{}}}, Options{Apps: []string{"acme-prod"}})
	if err != nil {
		t.Fatal(err)
	}
	var dns, platformFindings int
	for _, f := range res.Findings {
		switch f.Category {
		case report.CategoryDNS:
			dns++
			if f.Code != "CHECK_ERROR" || !strings.Contains(f.Summary, "panic: odd domain") {
				t.Errorf("the panicking part: %+v", f)
			}
		case report.CategoryPlatform:
			platformFindings++
		}
	}
	if dns != 1 || platformFindings == 0 {
		t.Errorf("%d DNS findings, %d platform findings", dns, platformFindings)
	}
}
