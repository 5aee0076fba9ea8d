// Package browser opens a page in a real browser for the tests: Debian's
// headless Chromium, driven over the DevTools protocol on a pipe (no port,
// nothing to connect to from outside), started so that it tries no network
// of its own (no background networking, component updates, sync or QUIC,
// a fresh empty profile). It records what the page asked the network
// for, what it logged to its console and what it threw, and takes a full
// screenshot and a PDF print of it.
package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Find is the path of the Chromium binary, or an error saying how to
// install it.
func Find() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium is not installed: ./scripts/setup installs it (Debian: apt-get install chromium)")
}

// Page is what the browser made of one page.
type Page struct {
	// Requests are the URLs the page asked for, the document's own first.
	Requests []string
	// Console holds the console's messages and the page's uncaught
	// exceptions, and the browser's own log entries for the page (a
	// refused fetch, a Content Security Policy violation), each as
	// "level: text".
	Console []string
	// Text is document.body.innerText; Scripts the number of script
	// elements; SVGs the number of svg elements.
	Text           string
	Scripts, SVGs  int
	Screenshot     []byte // PNG of the whole page, at Width CSS pixels
	PDF            []byte // the page printed (A4)
	Width, Height  int
	Title, Charset string
}

// Open loads file in Chromium at width CSS pixels, waits for its load
// event, and reports what happened.
func Open(ctx context.Context, file string, width int) (*Page, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "heroku-checkup-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	// Chromium reads commands from fd 3 and writes answers to fd 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-default-apps", "--no-default-browser-check", "--disable-features=Translate,OptimizationHints,MediaRouter",
		"--user-data-dir="+profile, "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, outW}
	cmd.Env = append(os.Environ(), "HOME="+profile)
	stderr := &limited{n: 64 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	cmdR.Close()
	outW.Close()
	c := &client{w: cmdW, pending: map[int]chan message{}, events: make(chan message, 4096)}
	go c.read(outR)
	defer func() {
		cmdW.Close()
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
	}()
	page, err := c.open(ctx, "file://"+abs, width)
	if err != nil {
		return nil, fmt.Errorf("%w (chromium: %s)", err, lastLines(stderr.String(), 5))
	}
	return page, nil
}

// message is one DevTools protocol message.
type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

type client struct {
	w       io.Writer
	mu      sync.Mutex
	next    int
	pending map[int]chan message
	events  chan message
	readErr error
}

// read hands answers to their callers and events to the events channel;
// messages end with a NUL byte.
func (c *client) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		b, err := br.ReadBytes(0)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			for _, ch := range c.pending {
				close(ch)
			}
			c.pending = map[int]chan message{}
			c.mu.Unlock()
			close(c.events)
			return
		}
		var m message
		if json.Unmarshal(b[:len(b)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.pending[m.ID]
			delete(c.pending, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case c.events <- m:
		default: // a flood of events: the checks only need the first thousands
		}
	}
}

// call sends one command and waits for its answer.
func (c *client) call(ctx context.Context, session, method string, params any, result any) error {
	c.mu.Lock()
	if c.readErr != nil {
		c.mu.Unlock()
		return fmt.Errorf("%s: chromium closed its pipe: %v", method, c.readErr)
	}
	c.next++
	id := c.next
	ch := make(chan message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if params == nil {
		params = map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params, "sessionId": session})
	if err != nil {
		return err
	}
	if session == "" {
		b, _ = json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	}
	if _, err := c.w.Write(append(b, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: chromium closed its pipe", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *client) open(ctx context.Context, url string, width int) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	s := attached.SessionID
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable", "Network.enable"} {
		if err := c.call(ctx, s, m, nil, nil); err != nil {
			return nil, err
		}
	}
	if err := c.call(ctx, s, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	p := &Page{Width: width}
	// Events that came before the navigation (about:blank's) are not the page's.
	drain(c.events)
	if err := c.call(ctx, s, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		return nil, err
	}
	loaded := false
	for !loaded {
		select {
		case m, ok := <-c.events:
			if !ok {
				return nil, errors.New("chromium closed its pipe before the page loaded")
			}
			if m.SessionID == s {
				loaded = p.event(m)
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the page to load: %w", ctx.Err())
		}
	}
	var eval struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
	}
	js := `JSON.stringify({text: document.body.innerText, scripts: document.querySelectorAll('script').length,
		svgs: document.querySelectorAll('svg').length, height: document.documentElement.scrollHeight,
		title: document.title, charset: document.characterSet})`
	if err := c.call(ctx, s, "Runtime.evaluate", map[string]any{"expression": js, "returnByValue": true}, &eval); err != nil {
		return nil, err
	}
	var dom struct {
		Text           string
		Scripts, SVGs  int
		Height         int
		Title, Charset string
	}
	if err := json.Unmarshal([]byte(eval.Result.Value), &dom); err != nil {
		return nil, fmt.Errorf("reading the page: %v", err)
	}
	p.Text, p.Scripts, p.SVGs, p.Height, p.Title, p.Charset = dom.Text, dom.Scripts, dom.SVGs, dom.Height, dom.Title, dom.Charset
	var shot struct {
		Data string `json:"data"`
	}
	if err := c.call(ctx, s, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": width, "height": dom.Height, "scale": 1}}, &shot); err != nil {
		return nil, err
	}
	var err error
	if p.Screenshot, err = base64.StdEncoding.DecodeString(shot.Data); err != nil {
		return nil, err
	}
	var pdf struct {
		Data string `json:"data"`
	}
	if err := c.call(ctx, s, "Page.printToPDF", map[string]any{"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": true}, &pdf); err != nil {
		return nil, err
	}
	if p.PDF, err = base64.StdEncoding.DecodeString(pdf.Data); err != nil {
		return nil, err
	}
	// What the page did after its load event (nothing should) is its too.
	for {
		select {
		case m, ok := <-c.events:
			if !ok {
				return p, nil
			}
			if m.SessionID == s {
				p.event(m)
			}
		default:
			_ = c.call(ctx, "", "Browser.close", nil, nil)
			return p, nil
		}
	}
}

// event records one event of the page; it tells whether it was the load.
func (p *Page) event(m message) bool {
	switch m.Method {
	case "Page.loadEventFired":
		return true
	case "Network.requestWillBeSent":
		var e struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(m.Params, &e) == nil {
			p.Requests = append(p.Requests, e.Request.URL)
		}
	case "Runtime.consoleAPICalled":
		var e struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		if json.Unmarshal(m.Params, &e) == nil {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, fmt.Sprint(a.Value)+a.Description)
			}
			p.Console = append(p.Console, e.Type+": "+strings.Join(parts, " "))
		}
	case "Runtime.exceptionThrown":
		var e struct {
			Details struct {
				Text string `json:"text"`
			} `json:"exceptionDetails"`
		}
		_ = json.Unmarshal(m.Params, &e)
		p.Console = append(p.Console, "exception: "+e.Details.Text)
	case "Log.entryAdded":
		var e struct {
			Entry struct {
				Level, Source, Text, URL string
			} `json:"entry"`
		}
		if json.Unmarshal(m.Params, &e) == nil {
			p.Console = append(p.Console, e.Entry.Level+": "+e.Entry.Source+": "+e.Entry.Text+" "+e.Entry.URL)
		}
	case "Network.loadingFailed":
		var e struct {
			ErrorText string `json:"errorText"`
			Blocked   string `json:"blockedReason"`
		}
		_ = json.Unmarshal(m.Params, &e)
		p.Console = append(p.Console, "error: network: "+e.ErrorText+" "+e.Blocked)
	}
	return false
}

func drain(ch chan message) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// limited keeps the first n bytes written to it.
type limited struct {
	mu sync.Mutex
	b  strings.Builder
	n  int
}

func (l *limited) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(b), l.n)
		l.n -= k
		l.b.Write(b[:k])
	}
	return len(b), nil
}

func (l *limited) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Ink measures a screenshot: the share of its pixels that differ from its
// background (the top-left pixel's colour) and how many colours it has
// (in 4-bit-per-channel steps): a blank page has none of either.
func Ink(pngData []byte) (share float64, colours int, err error) {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return 0, 0, err
	}
	b := img.Bounds()
	if b.Empty() {
		return 0, 0, errors.New("an empty image")
	}
	bg := color.RGBAModel.Convert(img.At(b.Min.X, b.Min.Y)).(color.RGBA)
	seen := map[[3]uint8]bool{}
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if c != bg {
				inked++
			}
			seen[[3]uint8{c.R >> 4, c.G >> 4, c.B >> 4}] = true
		}
	}
	return float64(inked) / float64(b.Dx()*b.Dy()), len(seen), nil
}

// HasColour tells whether the screenshot holds a pixel of colour c (to
// within 8 per channel): a chart drawn in it.
func HasColour(pngData []byte, c color.RGBA) bool {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return false
	}
	near := func(a, b uint8) bool { return a-b < 8 || b-a < 8 }
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				return true
			}
		}
	}
	return false
}

// Faults lists what is wrong with a page that must stand alone: it asked
// for anything but itself, logged to its console or threw, holds a
// script, or drew nothing (a screenshot under 3% inked or of fewer than 8
// colours, or without a pixel of the colour mark its charts use).
func (p *Page) Faults(mark color.RGBA) []string {
	var out []string
	if len(p.Requests) != 1 {
		out = append(out, fmt.Sprintf("the page asked for %q, want only itself", p.Requests))
	}
	if len(p.Console) > 0 {
		out = append(out, fmt.Sprintf("console: %q", p.Console))
	}
	if p.Scripts != 0 {
		out = append(out, fmt.Sprintf("%d script elements", p.Scripts))
	}
	share, colours, err := Ink(p.Screenshot)
	switch {
	case err != nil:
		out = append(out, "the screenshot: "+err.Error())
	case share < 0.03 || colours < 8:
		out = append(out, fmt.Sprintf("the screenshot looks blank: %.1f%% inked, %d colours", 100*share, colours))
	case !HasColour(p.Screenshot, mark):
		out = append(out, fmt.Sprintf("no pixel of %v in the screenshot: the charts were not drawn", mark))
	}
	return out
}
