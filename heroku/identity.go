package heroku

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	hk "github.com/heroku/heroku-go/v6"
)

// The Platform API's own rules for what names an app (schema.json,
// definitions/app): a name of 3 to 30 lower-case letters, digits and dashes
// that starts with a letter and does not end with a dash, or the app's id.
var (
	appName = regexp.MustCompile(`^[a-z][a-z0-9-]{1,28}[a-z0-9]$`)
	uuid    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// teamName is what the dashboard allows for a team: lower-case letters,
	// digits and dashes (the schema gives no pattern).
	teamName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// CheckApp refuses what cannot name a Heroku app, before it reaches a
// request: an empty name, a path (../account), anything outside the API's
// rules. from says where the name came from (-a, HEROKU_APP) for the one line.
func CheckApp(name, from string) error {
	if appName.MatchString(name) || uuid.MatchString(name) {
		return nil
	}
	if name == "" {
		return &AppError{Msg: fmt.Sprintf("%s is empty: give an app name (heroku apps lists yours)", from)}
	}
	why := "app names are 3 to 30 lower-case letters, digits and dashes, starting with a letter"
	if low := strings.ToLower(name); low != name && appName.MatchString(low) {
		why = "app names are lower case: " + low
	}
	return &AppError{Msg: fmt.Sprintf("%s %q is not a Heroku app name or id (%s)", from, name, why)}
}

// CheckTeam refuses what cannot name a Heroku team (or its id).
func CheckTeam(name, from string) error {
	if teamName.MatchString(name) || uuid.MatchString(name) {
		return nil
	}
	if name == "" {
		return &AppError{Msg: fmt.Sprintf("%s is empty: give a team name (heroku teams lists yours)", from)}
	}
	return &AppError{Msg: fmt.Sprintf("%s %q is not a Heroku team name or id (lower-case letters, digits and dashes)", from, name)}
}

// The Client's reads put every identity into its URL path-escaped: an app,
// team or stack name can never become another path (heroku-go writes them
// in as they come). Names are checked before a run starts; the stack name
// comes from the API's own answer and is escaped all the same.

func seg(id string) string { return url.PathEscape(id) }

func (c *Client) AppInfo(ctx context.Context, app string) (*hk.App, error) {
	return c.Service.AppInfo(ctx, seg(app))
}

func (c *Client) DynoList(ctx context.Context, app string, lr *hk.ListRange) (hk.DynoListResult, error) {
	return c.Service.DynoList(ctx, seg(app), lr)
}

func (c *Client) FormationList(ctx context.Context, app string, lr *hk.ListRange) (hk.FormationListResult, error) {
	return c.Service.FormationList(ctx, seg(app), lr)
}

func (c *Client) ReleaseList(ctx context.Context, app string, lr *hk.ListRange) (hk.ReleaseListResult, error) {
	return c.Service.ReleaseList(ctx, seg(app), lr)
}

func (c *Client) DomainList(ctx context.Context, app string, lr *hk.ListRange) (hk.DomainListResult, error) {
	return c.Service.DomainList(ctx, seg(app), lr)
}

func (c *Client) SniEndpointList(ctx context.Context, app string, lr *hk.ListRange) (hk.SniEndpointListResult, error) {
	return c.Service.SniEndpointList(ctx, seg(app), lr)
}

func (c *Client) AddOnListByApp(ctx context.Context, app string, lr *hk.ListRange) (hk.AddOnListByAppResult, error) {
	return c.Service.AddOnListByApp(ctx, seg(app), lr)
}

func (c *Client) ConfigVarInfoForApp(ctx context.Context, app string) (hk.ConfigVarInfoForAppResult, error) {
	return c.Service.ConfigVarInfoForApp(ctx, seg(app))
}

func (c *Client) LogDrainList(ctx context.Context, app string, lr *hk.ListRange) (hk.LogDrainListResult, error) {
	return c.Service.LogDrainList(ctx, seg(app), lr)
}

func (c *Client) TelemetryDrainListByApp(ctx context.Context, app string, lr *hk.ListRange) (hk.TelemetryDrainListByAppResult, error) {
	return c.Service.TelemetryDrainListByApp(ctx, seg(app), lr)
}

func (c *Client) AppFeatureList(ctx context.Context, app string, lr *hk.ListRange) (hk.AppFeatureListResult, error) {
	return c.Service.AppFeatureList(ctx, seg(app), lr)
}

func (c *Client) StackInfo(ctx context.Context, stack string) (*hk.Stack, error) {
	return c.Service.StackInfo(ctx, seg(stack))
}

func (c *Client) LogSessionCreate(ctx context.Context, app string, o hk.LogSessionCreateOpts) (*hk.LogSession, error) {
	return c.Service.LogSessionCreate(ctx, seg(app), o)
}

func (c *Client) TeamAppListByTeam(ctx context.Context, team string, lr *hk.ListRange) (hk.TeamAppListByTeamResult, error) {
	return c.Service.TeamAppListByTeam(ctx, seg(team), lr)
}
