package diagnose

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// domainsCheck is a part that needs only the domains and says when its
// jobs were built.
type domainsCheck struct {
	built chan int
}

func (c *domainsCheck) Part() Part                 { return report.CategoryDNS }
func (c *domainsCheck) Needs() []Resource          { return []Resource{ResDomains} }
func (c *domainsCheck) Sections() []report.Section { return nil }
func (c *domainsCheck) Jobs(_ context.Context, s *Snapshot) ([]runner.Job, error) {
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
		_, err := Run(ctx, Deps{API: client, Checks: []Check{check}},
			Options{Apps: []string{"acme-prod"}, Parts: []Part{report.CategoryPlatform, report.CategoryDNS}, CallTimeout: 10 * time.Second})
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
