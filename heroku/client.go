package heroku

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hk "github.com/heroku/heroku-go/v6"
)

// Config builds a Client.
type Config struct {
	APIURL    *url.URL
	Token     string
	UserAgent string // heroku-checkup/<version>
	// Base is the transport under the retries; nil is a fresh http.Transport.
	Base http.RoundTripper
	// MaxAttempts per request, the first included (default 4).
	MaxAttempts int
	// BaseDelay of the exponential backoff (default 250ms); MaxDelay caps it (default 8s).
	BaseDelay, MaxDelay time.Duration
	// Sleep waits or gives up when ctx ends; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is the heroku-go Service of a run with the transport's counters.
type Client struct {
	*hk.Service
	APIURL *url.URL
	rt     *retryTransport
}

// New builds the client. The token is attached by our own transport and only
// to requests for the API host, so a URL elsewhere (a log stream) never gets it.
func New(cfg Config) *Client {
	rt := newRetryTransport(cfg)
	ua := cfg.UserAgent
	if ua == "" {
		ua = "heroku-checkup"
	}
	// heroku-go's Transport sets the API version header and turns non-2xx
	// answers into hk.Error; auth, retries and pacing happen beneath it.
	svc := hk.NewService(&http.Client{Transport: &hk.Transport{UserAgent: ua, Transport: rt}})
	svc.URL = strings.TrimRight(cfg.APIURL.String(), "/")
	return &Client{Service: svc, APIURL: cfg.APIURL, rt: rt}
}

// newRetryTransport is the transport every Heroku client shares: retries
// with backoff, Retry-After, pacing by RateLimit-Remaining, and the token
// attached only to requests for cfg.APIURL's host.
func newRetryTransport(cfg Config) *retryTransport {
	base := cfg.Base
	if base == nil {
		base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       30 * time.Second,
			ForceAttemptHTTP2:     true,
		}
	}
	rt := &retryTransport{
		base:        base,
		api:         cfg.APIURL,
		token:       cfg.Token,
		maxAttempts: cfg.MaxAttempts,
		baseDelay:   cfg.BaseDelay,
		maxDelay:    cfg.MaxDelay,
		sleep:       cfg.Sleep,
		remaining:   -1,
	}
	if rt.maxAttempts <= 0 {
		rt.maxAttempts = 4
	}
	if rt.baseDelay <= 0 {
		rt.baseDelay = 250 * time.Millisecond
	}
	if rt.maxDelay <= 0 {
		rt.maxDelay = 8 * time.Second
	}
	if rt.sleep == nil {
		rt.sleep = sleepCtx
	}
	return rt
}

// firAccept is what the Heroku CLI asks log sessions for
// (src/lib/run/log-displayer.ts in heroku/cli v11.9).
const firAccept = "application/vnd.heroku+json; version=3.sdk"

// acceptKey carries, in a request's context, an Accept header that differs
// from heroku-go's own.
type acceptKey struct{}

// LogSessionCreateFir opens a log session of a Fir-generation app as the
// Heroku CLI does: no lines and no tail in the body (Fir keeps no history
// and always tails), and the CLI's Accept header. The session is read as
// server-sent events until the caller's deadline.
func (c *Client) LogSessionCreateFir(ctx context.Context, app string) (*hk.LogSession, error) {
	var ls hk.LogSession
	ctx = context.WithValue(ctx, acceptKey{}, firAccept)
	return &ls, c.Service.Post(ctx, &ls, "/apps/"+url.PathEscape(app)+"/log-sessions", struct{}{})
}

// Requests is how many HTTP requests the run sent to the API, retries included.
func (c *Client) Requests() int64 { return c.rt.requests.Load() }

// RateLimitRemaining is the last RateLimit-Remaining the API sent, -1 if none.
func (c *Client) RateLimitRemaining() int {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.rt.remaining
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lowWater is the RateLimit-Remaining under which requests are paced:
// Heroku refills about 75 tokens a minute, so a run that finds fewer than
// this left slows down instead of drawing the account's budget to zero.
const lowWater = 150

type retryTransport struct {
	base        http.RoundTripper
	api         *url.URL
	token       string
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	sleep       func(context.Context, time.Duration) error

	requests  atomic.Int64
	mu        sync.Mutex
	remaining int
}

func (t *retryTransport) forAPI(u *url.URL) bool {
	return u.Scheme == t.api.Scheme && strings.EqualFold(u.Host, t.api.Host)
}

func (t *retryTransport) pace() time.Duration {
	t.mu.Lock()
	rem := t.remaining
	t.mu.Unlock()
	if rem < 0 || rem >= lowWater {
		return 0
	}
	return time.Duration(lowWater-rem) * 20 * time.Millisecond
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead
	for attempt := 1; ; attempt++ {
		if d := t.pace(); d > 0 {
			if err := t.sleep(ctx, d); err != nil {
				return nil, err
			}
		}
		r := req.Clone(ctx)
		if req.Body != nil && req.GetBody != nil && attempt > 1 {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		if accept, ok := ctx.Value(acceptKey{}).(string); ok {
			r.Header.Set("Accept", accept)
		}
		if t.forAPI(r.URL) && t.token != "" {
			r.Header.Set("Authorization", "Bearer "+t.token)
		} else {
			r.Header.Del("Authorization")
		}
		t.requests.Add(1)
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			if !idempotent || attempt >= t.maxAttempts || ctx.Err() != nil || !retryableNetErr(err) {
				return nil, err
			}
			if t.sleep(ctx, t.backoff(attempt)) != nil {
				return nil, err
			}
			continue
		}
		t.observe(resp)
		// heroku-go logs this header to the process's log; keep our stderr ours.
		resp.Header.Del("X-Heroku-Warning")
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return capBody(r, resp)
		}
		if attempt >= t.maxAttempts || (req.Body != nil && req.GetBody == nil) {
			return capBody(r, resp)
		}
		delay := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if delay <= 0 {
			delay = t.backoff(attempt)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
			// Waiting would outlive the run: give the caller the answer now.
			return capBody(r, resp)
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err := t.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// MaxResponse caps what is read of one answer of the API: the largest a
// checkup asks for (1,000 dynos, domains or SNI endpoints with their
// certificate chains) is a few megabytes.
const MaxResponse = 32 << 20

// ResponseTooLargeError is an answer over MaxResponse: it was read no
// further, and the part of the app it holds is not checked.
type ResponseTooLargeError struct {
	Method, Path string
	Limit        int64
}

func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("the API's answer to %s %s is larger than %d MiB: not read", e.Method, e.Path, e.Limit>>20)
}

// capBody makes resp's body end in a ResponseTooLargeError past
// MaxResponse, or refuses it at once when its Content-Length says so.
func capBody(req *http.Request, resp *http.Response) (*http.Response, error) {
	tooLarge := &ResponseTooLargeError{Method: req.Method, Path: req.URL.EscapedPath(), Limit: MaxResponse}
	if resp.ContentLength > MaxResponse {
		resp.Body.Close()
		return nil, tooLarge
	}
	resp.Body = &cappedBody{rc: resp.Body, left: MaxResponse, err: tooLarge}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a body of exactly the cap from a larger one.
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, c.err
		}
		return c.rc.Read(p)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }

// backoff is exponential with full jitter: a random wait in [d/2, d).
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.baseDelay << (attempt - 1)
	if d > t.maxDelay || d <= 0 {
		d = t.maxDelay
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (t *retryTransport) observe(resp *http.Response) {
	v := resp.Header.Get("RateLimit-Remaining")
	if v == "" {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return
	}
	t.mu.Lock()
	t.remaining = n
	t.mu.Unlock()
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(s) * time.Second
	}
	if when, err := http.ParseTime(v); err == nil {
		return when.Sub(now)
	}
	return 0
}

// retryableNetErr: a reset or refused connection may be a blip; a bad
// certificate or an unknown host is not.
func retryableNetErr(err error) bool {
	msg := err.Error()
	for _, s := range []string{"connection reset", "broken pipe", "EOF", "timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
