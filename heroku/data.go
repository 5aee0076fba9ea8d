package heroku

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultDataURL is Heroku's Data API, where the Heroku CLI's pg:info,
// pg:backups, data:maintenances and redis:info read add-on facts.
const DefaultDataURL = "https://api.data.heroku.com"

// DataURL returns the Data API base URL for a HEROKU_DATA_HOST value:
// empty is api.data.heroku.com; a value starting with http is the whole
// base URL (CONTRACT.md, so a loopback fake can be named with its port);
// anything else is a bare host, as the Heroku CLI takes it
// (heroku-cli-util src/utils/pg/host.ts: `HEROKU_DATA_HOST || 'api.data.heroku.com'`,
// passed as the request's hostname), meaning https://HOST.
// The token rule is the Platform API's: https to Heroku's domains, or loopback.
func DataURL(dataHost string) (*url.URL, error) {
	return baseURL("HEROKU_DATA_HOST", dataHost, DefaultDataURL, "https://", "a host such as api.data.heroku.com or a URL such as https://api.data.heroku.com")
}

// DataClient reads Heroku's Data API. It has GET methods only: the tool
// never writes. Requests go through the same transport as the Platform
// API's (retries with backoff, Retry-After, the token only to the Data API
// host) under the caller's context deadline.
type DataClient struct {
	BaseURL   *url.URL
	userAgent string
	hc        *http.Client
	rt        *retryTransport
}

// NewData builds a Data API client; cfg.APIURL is the Data API's base URL.
func NewData(cfg Config) *DataClient {
	rt := newRetryTransport(cfg) // the Platform API's, pointed at the Data API host
	ua := cfg.UserAgent
	if ua == "" {
		ua = "heroku-checkup"
	}
	return &DataClient{BaseURL: cfg.APIURL, userAgent: ua, rt: rt,
		hc: &http.Client{Transport: rt, CheckRedirect: sameHostRedirects}}
}

// sameHostRedirects follows at most 10 redirects, as the Heroku CLI's
// http-call does, and only those that stay on the Data API's origin: the
// transport would not send the token elsewhere anyway, but an answer from
// another host is not the Data API's.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Scheme != via[0].URL.Scheme || !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
		return fmt.Errorf("redirected away from the Data API to %s", req.URL.Host)
	}
	return nil
}

// Requests is how many HTTP requests went to the Data API, retries included.
func (c *DataClient) Requests() int64 { return c.rt.requests.Load() }

// DataError is a Data API answer that is not a success. Message is the
// API's own (its body is {"id", "message"}, as the Heroku CLI reads it);
// it never holds a secret, since the request carried none in its path.
type DataError struct {
	Method, Path string
	StatusCode   int
	ID, Message  string
}

func (e *DataError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if e.ID != "" {
		return fmt.Sprintf("Data API %s %s: %d %s (%s)", e.Method, e.Path, e.StatusCode, msg, e.ID)
	}
	return fmt.Sprintf("Data API %s %s: %d %s", e.Method, e.Path, e.StatusCode, msg)
}

// DataStatus returns the HTTP status of a Data API error, 0 if err is not one.
func DataStatus(err error) int {
	var de *DataError
	if errors.As(err, &de) {
		return de.StatusCode
	}
	return 0
}

// IsDataUnreachable tells whether err means the Data API did not answer
// (a network error or the deadline), as opposed to an answer it gave.
func IsDataUnreachable(err error) bool {
	if err == nil || DataStatus(err) != 0 {
		return false
	}
	var ne net.Error
	var ue *url.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.As(err, &ne) || errors.As(err, &ue)
}

// maxDataBody bounds what one answer may weigh: the largest the CLI's
// shapes could reasonably be (a long list of transfers), with room.
const maxDataBody = 16 << 20

// maxDataPages bounds Next-Range paging of list answers.
const maxDataPages = 20

// get reads path into out; list answers are followed through Next-Range
// (the Platform API's paging, which the CLI's http-call applies to every
// array answer) and concatenated.
func (c *DataClient) get(ctx context.Context, path string, out any) error {
	var pages []json.RawMessage
	rng := ""
	for page := 0; ; page++ {
		body, next, err := c.getOnce(ctx, path, rng)
		if err != nil {
			return err
		}
		if next == "" && page == 0 {
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("the Data API's GET %s: unexpected answer: %v", path, err)
			}
			return nil
		}
		pages = append(pages, body)
		if next == "" || page+1 >= maxDataPages {
			break
		}
		rng = next
	}
	var all []json.RawMessage
	for _, p := range pages {
		var items []json.RawMessage
		if err := json.Unmarshal(p, &items); err != nil {
			return fmt.Errorf("the Data API's GET %s: a paged answer is not a list: %v", path, err)
		}
		all = append(all, items...)
	}
	joined, _ := json.Marshal(all)
	if err := json.Unmarshal(joined, out); err != nil {
		return fmt.Errorf("the Data API's GET %s: unexpected answer: %v", path, err)
	}
	return nil
}

func (c *DataClient) getOnce(ctx context.Context, path, rng string) ([]byte, string, error) {
	u := *c.BaseURL
	u.Path = c.BaseURL.Path + path
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/vnd.heroku+json; version=3")
	req.Header.Set("User-Agent", c.userAgent)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDataBody+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > maxDataBody {
		return nil, "", fmt.Errorf("the Data API's GET %s: answer larger than %d MiB", path, maxDataBody>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		de := &DataError{Method: http.MethodGet, Path: path, StatusCode: resp.StatusCode}
		var eb struct {
			ID      string `json:"id"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &eb) == nil {
			de.ID, de.Message = eb.ID, oneLine(eb.Message, 300)
		}
		return nil, "", de
	}
	next := ""
	if resp.StatusCode == http.StatusPartialContent {
		next = resp.Header.Get("Next-Range")
	}
	return body, next, nil
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// Database is pg:info's view of a Heroku Postgres database (GET
// /client/v11/databases/{add-on id}, Essential to Shield; heroku/cli
// src/lib/pg/types.ts PgDatabaseService & PgDatabaseTenant). Fields that
// carry the password (database_password) are not decoded, and ResourceURL
// keeps no password.
func (c *DataClient) Database(ctx context.Context, addonID string) (*Database, error) {
	var d Database
	if err := c.get(ctx, "/client/v11/databases/"+url.PathEscape(addonID), &d); err != nil {
		return nil, err
	}
	d.ResourceURL = withoutPassword(d.ResourceURL)
	return &d, nil
}

// TransferSchedules lists a database's backup schedules (pg:backups:schedules).
func (c *DataClient) TransferSchedules(ctx context.Context, addonID string) ([]TransferSchedule, error) {
	var s []TransferSchedule
	err := c.get(ctx, "/client/v11/databases/"+url.PathEscape(addonID)+"/transfer-schedules", &s)
	return s, err
}

// Transfers lists an app's backups, restores and copies (pg:backups), all
// databases together.
func (c *DataClient) Transfers(ctx context.Context, app string) ([]Transfer, error) {
	var t []Transfer
	err := c.get(ctx, "/client/v11/apps/"+url.PathEscape(app)+"/transfers", &t)
	return t, err
}

// Maintenances lists the maintenances of an app's data add-ons, Postgres
// and Redis (data:maintenances: by the app's UUID).
func (c *DataClient) Maintenances(ctx context.Context, appID string) ([]Maintenance, error) {
	var m struct {
		Maintenances []Maintenance `json:"maintenances"`
	}
	err := c.get(ctx, "/data/maintenances/v1/apps/"+url.PathEscape(appID), &m)
	return m.Maintenances, err
}

// AdvancedInfo is data:pg:info's view of an Advanced-tier database (GET
// /data/postgres/v1/{add-on id}/info), which /client/v11 does not serve.
func (c *DataClient) AdvancedInfo(ctx context.Context, addonID string) (*AdvancedInfo, error) {
	var a AdvancedInfo
	if err := c.get(ctx, "/data/postgres/v1/"+url.PathEscape(addonID)+"/info", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Redis is redis:info's view of a Heroku Redis (Key-Value Store) add-on,
// by add-on name (the CLI's redis:info) or id (its redis:cli).
func (c *DataClient) Redis(ctx context.Context, addon string) (*RedisDatabase, error) {
	var r RedisDatabase
	if err := c.get(ctx, "/redis/v0/databases/"+url.PathEscape(addon), &r); err != nil {
		return nil, err
	}
	r.ResourceURL = withoutPassword(r.ResourceURL)
	return &r, nil
}

// withoutPassword keeps a URL's shape (scheme, user, host, port, path) and
// drops its password, so nothing decoded from the Data API holds one.
func withoutPassword(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	return u.String()
}

// Database is the body of GET /client/v11/databases/{id}. The Heroku CLI
// prints its info rows generically; the checks read the rows they know and
// fall back to the top-level numbers.
type Database struct {
	AddonID         string    `json:"addon_id"`
	Name            string    `json:"name"`
	Plan            FlexPlan  `json:"plan"` // a string ("standard-0") or {id, name} (both in the CLI's types)
	PostgresVersion string    `json:"postgres_version"`
	PostgresqlVer   string    `json:"postgresql_version"` // the 2014 name of the same field
	NumBytes        FlexInt   `json:"num_bytes"`
	NumConnections  FlexInt   `json:"num_connections"`
	NumWaiting      FlexInt   `json:"num_connections_waiting"`
	NumTables       FlexInt   `json:"num_tables"`
	Following       *string   `json:"following"`
	Leader          *string   `json:"leader"`
	Waiting         bool      `json:"waiting?"`
	InRecovery      *bool     `json:"is_in_recovery?"`
	HotStandby      *bool     `json:"hot_standby?"`
	Standalone      *bool     `json:"standalone?"`
	CreatedAt       DataTime  `json:"created_at"`
	Info            []InfoRow `json:"info"`
	ResourceURL     string    `json:"resource_url"` // password removed on decode
}

// Version is the PostgreSQL version the Data API reports: the PG Version
// row, else the top-level field.
func (d *Database) Version() string {
	if v, ok := d.Row("PG Version"); ok && len(v) > 0 {
		return v[0]
	}
	if d.PostgresVersion != "" {
		return d.PostgresVersion
	}
	return d.PostgresqlVer
}

// Row returns the values of the first info row with that name (case-insensitive).
func (d *Database) Row(name string) ([]string, bool) { return row(d.Info, name) }

// InfoRow is one line of pg:info or redis:info.
type InfoRow struct {
	Name          string
	Values        []string // numbers in the answer (the 2014 "Tables": [0]) become their decimal text
	ResolveDBName bool
}

func (r *InfoRow) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name          string            `json:"name"`
		Values        []json.RawMessage `json:"values"`
		ResolveDBName bool              `json:"resolve_db_name"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	r.Name, r.ResolveDBName, r.Values = raw.Name, raw.ResolveDBName, nil
	for _, v := range raw.Values {
		var s string
		if json.Unmarshal(v, &s) == nil {
			r.Values = append(r.Values, s)
			continue
		}
		r.Values = append(r.Values, strings.TrimSpace(string(v)))
	}
	return nil
}

func row(rows []InfoRow, name string) ([]string, bool) {
	for _, r := range rows {
		if strings.EqualFold(r.Name, name) {
			return r.Values, true
		}
	}
	return nil, false
}

// FlexPlan decodes a plan given as "standard-0" or as {"id", "name"}.
type FlexPlan string

func (p *FlexPlan) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*p = FlexPlan(s)
		return nil
	}
	var o struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("plan: %v", err)
	}
	*p = FlexPlan(o.Name)
	return nil
}

// FlexInt decodes a number given as a JSON number or a numeric string
// ("current_transaction": "1879" in the 2014 answer); anything else is 0.
type FlexInt int64

func (n *FlexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = FlexInt(i)
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*n = FlexInt(f)
		return nil
	}
	*n = 0
	return nil
}

// FlexFloat is FlexInt for fractions ("duration_seconds": 872.976767 or "872.9").
type FlexFloat float64

func (n *FlexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f = 0
	}
	*n = FlexFloat(f)
	return nil
}

// DataTime decodes the Data API's times: Ruby's Time#to_s
// ("2016-10-01 00:42:54 +0000", the transfers and maintenances) or RFC 3339
// (the Advanced API); null or empty is the zero time.
type DataTime struct{ time.Time }

// dataTimeLayouts are the forms seen in the Heroku CLI's fixtures.
var dataTimeLayouts = []string{"2006-01-02 15:04:05 -0700", time.RFC3339Nano, "2006-01-02 15:04:05 MST", "2006-01-02 15:04 MST", "2006-01-02T15:04:05"}

func (t *DataTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil || strings.TrimSpace(s) == "" {
		t.Time = time.Time{}
		return nil
	}
	parsed, err := ParseDataTime(s)
	if err != nil {
		t.Time = time.Time{} // an unreadable time is no time, not a failed answer
		return nil
	}
	t.Time = parsed
	return nil
}

func (t DataTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format("2006-01-02 15:04:05 -0700"))
}

// ParseDataTime parses a time in any of the Data API's forms.
func ParseDataTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dataTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// TransferSchedule is one entry of pg:backups:schedules: a daily backup at
// Hour:00 in Timezone. Name is the config var (DATABASE_URL).
type TransferSchedule struct {
	Hour     FlexInt `json:"hour"` // a number in the GET answer, a string in the POST the CLI sends
	Name     string  `json:"name"`
	Timezone string  `json:"timezone"`
	UUID     string  `json:"uuid"`
}

// Transfer is one backup, restore or copy (heroku/cli src/lib/pg/types.ts
// BackupTransfer). from_url and to_url, which may be database URLs, are not decoded.
type Transfer struct {
	UUID           string   `json:"uuid"`
	Num            int      `json:"num"`
	FromName       string   `json:"from_name"`
	FromType       string   `json:"from_type"`
	ToName         string   `json:"to_name"`
	ToType         string   `json:"to_type"`
	Succeeded      bool     `json:"succeeded"`
	Warnings       int      `json:"warnings"`
	ProcessedBytes FlexInt  `json:"processed_bytes"`
	SourceBytes    FlexInt  `json:"source_bytes"`
	CreatedAt      DataTime `json:"created_at"`
	StartedAt      DataTime `json:"started_at"`
	FinishedAt     DataTime `json:"finished_at"`
	CanceledAt     DataTime `json:"canceled_at"`
	UpdatedAt      DataTime `json:"updated_at"`
	Schedule       *struct {
		UUID string `json:"uuid"`
	} `json:"schedule"`
	Options map[string]any `json:"options"`
}

// IsBackup: pg_dump into storage (heroku/cli src/commands/pg/backups/index.ts:
// from_type pg_dump, to_type gof3r); restores and copies go to pg_restore.
func (t Transfer) IsBackup() bool { return t.FromType == "pg_dump" && t.ToType == "gof3r" }

// Transfer states, in the CLI's order (src/lib/pg/backups.ts status, and
// pg:backups:info's Canceled before Failed).
const (
	TransferCompleted = "completed"
	TransferCanceled  = "canceled"
	TransferFailed    = "failed"
	TransferRunning   = "running"
	TransferPending   = "pending"
)

// State is the CLI's reading of a transfer.
func (t Transfer) State() string {
	switch {
	case !t.FinishedAt.IsZero() && t.Succeeded:
		return TransferCompleted
	case !t.CanceledAt.IsZero():
		return TransferCanceled
	case !t.FinishedAt.IsZero():
		return TransferFailed
	case !t.StartedAt.IsZero():
		return TransferRunning
	}
	return TransferPending
}

// Name is the CLI's name of a transfer: a003 (scheduled backup), b004
// (manual backup), r001 (restore), c002 (copy), or o<name> for a named one.
func (t Transfer) Name() string {
	if n, ok := t.Options["pgbackups_name"].(string); ok && n != "" {
		return "o" + n
	}
	prefix := "b"
	switch {
	case t.ToType == "pg_restore" && t.FromType == "pg_dump":
		prefix = "c"
	case t.ToType == "pg_restore":
		prefix = "r"
	case t.Schedule != nil:
		prefix = "a"
	}
	return fmt.Sprintf("%s%03d", prefix, t.Num)
}

// Maintenance is one data:maintenances entry (heroku/cli src/lib/data/types.ts Maintenance).
type Maintenance struct {
	Addon struct {
		Attachments []string `json:"attachments"`
		Kind        string   `json:"kind"` // heroku-postgresql, heroku-redis
		Name        string   `json:"name"`
		Plan        string   `json:"plan"`
		UUID        string   `json:"uuid"`
		Window      *string  `json:"window"`
	} `json:"addon"`
	App struct {
		Name string `json:"name"`
		UUID string `json:"uuid"`
	} `json:"app"`
	Method                 string    `json:"method"`
	Reason                 string    `json:"reason"`
	Status                 string    `json:"status"` // completed, none, pending, preparing, ready, running
	Window                 *string   `json:"window"`
	ScheduledFor           DataTime  `json:"scheduled_for"`
	RequiredBy             DataTime  `json:"required_by"`
	PreviouslyScheduledFor DataTime  `json:"previously_scheduled_for"`
	StartedAt              DataTime  `json:"started_at"`
	CompletedAt            DataTime  `json:"completed_at"`
	ServerCreatedAt        DataTime  `json:"server_created_at"`
	DurationSeconds        FlexFloat `json:"duration_seconds"` // typed string|null, served as a number too
}

// AdvancedInfo is the body of GET /data/postgres/v1/{id}/info
// (heroku/cli src/lib/data/types.ts InfoResponse).
type AdvancedInfo struct {
	Addon struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"addon"`
	Status     string `json:"status"` // available, migrating, modifying, provisioning, unavailable
	Tier       string `json:"tier"`
	Version    string `json:"version"`
	Region     string `json:"region"`
	PlanLimits []struct {
		Name    string  `json:"name"` // connection-limit, storage-limit-in-gb, table-limit
		Current float64 `json:"current"`
		Limit   float64 `json:"limit"`
	} `json:"plan_limits"`
	Features struct {
		HighlyAvailable struct {
			Enabled bool `json:"enabled"`
		} `json:"highly_available"`
		ContinuousProtection struct {
			Enabled bool `json:"enabled"`
		} `json:"continuous_protection"`
	} `json:"features"`
	Pools []struct {
		Name                    string `json:"name"`
		Status                  string `json:"status"`
		ConnectionsUsed         int    `json:"connections_used"`
		ExpectedConnectionLimit int    `json:"expected_connection_limit"`
		ExpectedCount           int    `json:"expected_count"`
		ExpectedLevel           string `json:"expected_level"`
		ComputeInstances        []struct {
			Name   string `json:"name"`
			Role   string `json:"role"` // leader, standby, follower
			Status string `json:"status"`
			Level  string `json:"level"`
		} `json:"compute_instances"`
	} `json:"pools"`
}

// Limit returns a plan limit by name (current, limit, found).
func (a *AdvancedInfo) Limit(name string) (float64, float64, bool) {
	for _, l := range a.PlanLimits {
		if l.Name == name {
			return l.Current, l.Limit, true
		}
	}
	return 0, 0, false
}

// RedisDatabase is the body of GET /redis/v0/databases/{name}
// (heroku/cli src/lib/redis/api.ts RedisFormationResponse).
type RedisDatabase struct {
	AddonID         string    `json:"addon_id"`
	Name            string    `json:"name"`
	Plan            FlexPlan  `json:"plan"`
	Version         string    `json:"version"`
	Port            FlexInt   `json:"port"`
	PreferNativeTLS bool      `json:"prefer_native_tls"`
	CreatedAt       DataTime  `json:"created_at"`
	Info            []InfoRow `json:"info"`
	ResourceURL     string    `json:"resource_url"` // password removed on decode
}

// Row returns the values of the first info row with that name.
func (r *RedisDatabase) Row(name string) ([]string, bool) { return row(r.Info, name) }
