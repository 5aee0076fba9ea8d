package heroku

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
)

func TestDataURL(t *testing.T) {
	cases := []struct {
		in, want string
		bad      bool
	}{
		{"", "https://api.data.heroku.com", false},
		{"api.data.heroku.com", "https://api.data.heroku.com", false}, // the CLI's form: a bare host
		{"api.data.staging.herokudev.com", "https://api.data.staging.herokudev.com", false},
		{"https://api.data.heroku.com/", "https://api.data.heroku.com", false},
		{"http://127.0.0.1:5001", "http://127.0.0.1:5001", false}, // a whole base URL (CONTRACT.md): the loopback fake
		{"http://[::1]:5001/base", "http://[::1]:5001/base", false},
		{"http://api.data.heroku.com", "", true}, // never in clear to a remote host
		{"data.evil.example", "", true},          // not Heroku
		{"https://heroku.com.evil.example", "", true},
		{"https://u:p@api.data.heroku.com", "", true},
		{"http://", "", true},
	}
	for _, c := range cases {
		u, err := DataURL(c.in)
		if c.bad {
			var he *HostError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), "HEROKU_DATA_HOST") {
				t.Errorf("DataURL(%q) = %v, %v; want a HostError naming HEROKU_DATA_HOST", c.in, u, err)
			}
			continue
		}
		if err != nil || u.String() != c.want {
			t.Errorf("DataURL(%q) = %v, %v; want %s", c.in, u, err, c.want)
		}
	}
}

func dataClient(t *testing.T, base, token string) *DataClient {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return NewData(Config{APIURL: u, Token: token, UserAgent: "heroku-checkup/test",
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
}

// TestDataClientReadsTheCLIShapes decodes the Heroku CLI's own fixtures
// (herokutest/data_fixtures.go names each one's test file and lines) and
// reads them as the CLI does.
func TestDataClientReadsTheCLIShapes(t *testing.T) {
	fake := herokutest.NewData(t, "tok")
	defer fake.Close()
	fake.AddDatabase("1", herokutest.CLIPgInfo)
	fake.AddDatabase("hk", herokutest.HKPgDatabase2014)
	fake.AddSchedules("1", herokutest.CLISchedules)
	fake.AddTransfers("myapp", "["+strings.Trim(herokutest.CLITransfers, "[]\n ")+","+herokutest.CLIRestore+","+herokutest.CLICopy+"]")
	fake.AddMaintenances(herokutest.CLIMaintenancesAppID, herokutest.CLIMaintenances)
	fake.AddAdvanced(herokutest.CLIAdvancedInfoID, herokutest.CLIAdvancedInfo)
	fake.AddRedis("redis-haiku", "redis-id-1", herokutest.CLIRedis)
	c := dataClient(t, fake.URL, "tok")
	ctx := context.Background()

	d, err := c.Database(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := d.Row("plan"); len(v) != 1 || v[0] != "Hobby-dev" {
		t.Errorf("Plan row = %v", v)
	}
	if v, ok := d.Row("Empty"); !ok || len(v) != 0 {
		t.Errorf("Empty row = %v, %v", v, ok)
	}
	if strings.Contains(d.ResourceURL, "pxxxxxxxx") || !strings.Contains(d.ResourceURL, "uxxxxxxxxx:REDACTED@ec2-54-111-111-1") {
		t.Errorf("resource_url kept its password or lost its shape: %s", d.ResourceURL)
	}

	hk, err := c.Database(ctx, "hk")
	if err != nil {
		t.Fatal(err)
	}
	if hk.Plan != "standard-tengu" || hk.Version() != "9.3.2" || hk.NumBytes != 6736056 || hk.NumConnections != 3 {
		t.Errorf("2014 answer: plan %q version %q bytes %d conns %d", hk.Plan, hk.Version(), hk.NumBytes, hk.NumConnections)
	}
	if v, _ := hk.Row("Tables"); len(v) != 1 || v[0] != "0" { // a JSON number in the values
		t.Errorf("Tables row = %v", v)
	}
	if hk.InRecovery == nil || !*hk.InRecovery || hk.CreatedAt.Year() != 2014 {
		t.Errorf("is_in_recovery? %v, created_at %v", hk.InRecovery, hk.CreatedAt)
	}
	if strings.Contains(fmt.Sprintf("%+v", *hk), "password@") {
		t.Errorf("the decoded database holds the password: %+v", *hk)
	}

	s, err := c.TransferSchedules(ctx, "1")
	if err != nil || len(s) != 1 || s[0].Hour != 5 || s[0].Name != "DATABASE_URL" || s[0].Timezone != "UTC" {
		t.Errorf("schedules = %+v, %v", s, err)
	}
	// A known database without schedules is an empty list, not a 404.
	if s, err := c.TransferSchedules(ctx, "hk"); err != nil || len(s) != 0 {
		t.Errorf("schedules of hk = %+v, %v", s, err)
	}

	tr, err := c.Transfers(ctx, "myapp")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, x := range tr {
		got = append(got, fmt.Sprintf("%s:%s:%v", x.Name(), x.State(), x.IsBackup()))
	}
	// The CLI's own reading of the same list (index.unit.test.ts:L112-120): b003 finished
	// with warnings, a010 completed, b004 failed, b005 pending, b006 running; then a
	// restore and a copy, which are no backups.
	want := "b003:completed:true a010:completed:true b004:failed:true b005:pending:true b006:running:true r003:completed:false c003:completed:false"
	if strings.Join(got, " ") != want {
		t.Errorf("transfers =\n %s\nwant\n %s", strings.Join(got, " "), want)
	}
	if tr[0].Warnings != 2 || tr[0].FinishedAt.Format(time.RFC3339) != "2016-10-08T00:43:00Z" {
		t.Errorf("b003: warnings %d finished %v", tr[0].Warnings, tr[0].FinishedAt)
	}

	m, err := c.Maintenances(ctx, herokutest.CLIMaintenancesAppID)
	if err != nil || len(m) != 2 {
		t.Fatalf("maintenances = %+v, %v", m, err)
	}
	pg := m[1]
	if pg.Addon.Kind != "heroku-postgresql" || pg.Status != "none" || pg.Addon.Attachments[0] != "DATABASE_URL" ||
		pg.ScheduledFor.Format(time.RFC3339) != "2019-11-07T22:00:00Z" || pg.RequiredBy.Format(time.RFC3339) != "2019-11-12T17:57:01Z" ||
		pg.Window == nil || *pg.Window != "Thursdays 22:00 to Fridays 02:00 UTC" {
		t.Errorf("postgres maintenance = %+v", pg)
	}
	if !m[0].ScheduledFor.IsZero() || m[0].Status != "pending" {
		t.Errorf("redis maintenance = %+v", m[0])
	}

	a, err := c.AdvancedInfo(ctx, herokutest.CLIAdvancedInfoID)
	if err != nil {
		t.Fatal(err)
	}
	if cur, lim, ok := a.Limit("storage-limit-in-gb"); !ok || cur != 1.1 || lim != 128000 {
		t.Errorf("storage limit = %v/%v %v", cur, lim, ok)
	}
	if len(a.Pools) != 2 || a.Pools[0].ExpectedConnectionLimit != 400 || a.Pools[1].ConnectionsUsed != 50 || a.Tier != "advanced" || a.Version != "17.5" {
		t.Errorf("advanced = %+v", a)
	}

	for _, key := range []string{"redis-haiku", "redis-id-1"} {
		r, err := c.Redis(ctx, key)
		if err != nil || r.Plan != "hobby" || r.ResourceURL != "redis://foobar:REDACTED@example.com:8649" {
			t.Errorf("redis %s = %+v, %v", key, r, err)
		}
	}
	for _, a := range fake.Authorizations() {
		if a != "Bearer tok" {
			t.Errorf("Authorization %q", a)
		}
	}
}

func TestDataClientErrors(t *testing.T) {
	fake := herokutest.NewData(t, "tok")
	defer fake.Close()
	c := dataClient(t, fake.URL, "tok")
	ctx := context.Background()

	// Unknown database: a bare 404, as the CLI's tests serve it.
	_, err := c.Database(ctx, "nope")
	if DataStatus(err) != 404 || IsDataUnreachable(err) {
		t.Errorf("unknown database: %v (status %d)", err, DataStatus(err))
	}
	// Unknown Advanced database: a 404 with the API's message.
	_, err = c.AdvancedInfo(ctx, "nope")
	var de *DataError
	if !errors.As(err, &de) || de.StatusCode != 404 || de.ID != "not_found" || !strings.Contains(de.Message, "nope") {
		t.Errorf("unknown advanced database: %#v", err)
	}
	// A bad token is a 401, and the token is never in the error.
	_, err = dataClient(t, fake.URL, "wrong-token-value").Database(ctx, "nope")
	if DataStatus(err) != 401 || strings.Contains(err.Error(), "wrong-token-value") {
		t.Errorf("bad token: %v", err)
	}
	fake.Status("/client/v11/apps/locked/transfers", 403, map[string]string{"id": "forbidden", "message": "You do not have access to the app locked."})
	if _, err := c.Transfers(ctx, "locked"); DataStatus(err) != 403 || !strings.Contains(err.Error(), "do not have access") {
		t.Errorf("403: %v", err)
	}

	// 503s are retried, as on the Platform API.
	fake.AddRedis("r1", "", herokutest.CLIRedisInfo)
	fake.FailNext("/redis/v0/databases/r1", 2)
	r, err := c.Redis(ctx, "r1")
	if err != nil || len(r.Info) != 1 || r.Info[0].Values[1] != "Biz" {
		t.Errorf("after two 503s: %+v, %v", r, err)
	}
	if n := fake.Calls()["503 /redis/v0/databases/r1"]; n != 2 {
		t.Errorf("503s served: %d", n)
	}

	// A hung endpoint costs the caller's deadline, no more.
	fake.Hang(`^/client/v11/databases/slow$`)
	ctx2, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Database(ctx2, "slow")
	if !IsDataUnreachable(err) || time.Since(start) > 5*time.Second {
		t.Errorf("hung: %v after %v", err, time.Since(start))
	}
}

func TestFakeDataAPIRefusesWrites(t *testing.T) {
	rec := &herokutest.Recorder{}
	fake := herokutest.NewData(rec, "")
	defer fake.Close()
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, fake.URL+"/client/v11/databases/1/transfer-schedules", strings.NewReader(`{"hour":"06"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s answered %d", m, resp.StatusCode)
		}
	}
	if len(rec.Messages()) != 4 {
		t.Errorf("violations recorded: %q", rec.Messages())
	}
}

func TestDataClientTokenStaysOnTheDataHost(t *testing.T) {
	fake := herokutest.NewData(t, "")
	defer fake.Close()
	fake.AddDatabase("1", herokutest.CLIPgInfo)
	// A server that redirects to another origin (the fake, on another port).
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-data-token" {
			t.Errorf("the Data API host did not get the token: %q", r.Header.Get("Authorization"))
		}
		http.Redirect(w, r, fake.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redir.Close()
	_, err := dataClient(t, redir.URL, "secret-data-token").Database(context.Background(), "1")
	if err == nil || !strings.Contains(err.Error(), "redirected away") {
		t.Errorf("cross-origin redirect followed: %v", err)
	}
	for _, a := range fake.Authorizations() {
		if a != "" {
			t.Errorf("the token reached another host: %q", a)
		}
	}
}

func TestDataClientFollowsNextRange(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Range") == "" {
			w.Header().Set("Next-Range", "]2..; max=2")
			w.WriteHeader(http.StatusPartialContent)
			fmt.Fprint(w, `[{"num": 1, "from_type": "pg_dump", "to_type": "gof3r"}, {"num": 2, "from_type": "pg_dump", "to_type": "gof3r"}]`)
			return
		}
		fmt.Fprint(w, `[{"num": 3, "from_type": "pg_dump", "to_type": "gof3r"}]`)
	}))
	defer srv.Close()
	tr, err := dataClient(t, srv.URL, "").Transfers(context.Background(), "a")
	if err != nil || len(tr) != 3 || tr[2].Num != 3 {
		t.Errorf("paged transfers = %+v, %v", tr, err)
	}
}

func TestParseDataTime(t *testing.T) {
	for in, want := range map[string]string{
		"2016-10-01 00:42:54 +0000": "2016-10-01T00:42:54Z",
		"2025-01-01T00:00:00+00:00": "2025-01-01T00:00:00Z",
		"2014-01-14 23:35 UTC":      "2014-01-14T23:35:00Z",
	} {
		got, err := ParseDataTime(in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("ParseDataTime(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseDataTime("soon"); err == nil {
		t.Error("soon parsed")
	}
}
