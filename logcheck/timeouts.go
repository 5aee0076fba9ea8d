package logcheck

import (
	"bytes"
	"time"
)

// Timeouts holds what is needed to put the router's timeouts (H12, H13)
// next to the app's own: rack-timeout's lines name the request id the
// router gave the request; unicorn, gunicorn and Puma name only the dyno
// and the time. Every table is capped at maxTracked entries.
type Timeouts struct {
	Router []RouterTimeout
	// Rack holds rack-timeout's telling states by request id: timed_out
	// and expired (it stopped the request), and completed after the
	// router's 30 s (the app kept working on a request the user had lost).
	Rack map[string]RackTimeout
	// RackLines counts every rack-timeout line; RackTimeoutMS is the
	// largest timeout= they stated.
	RackLines     int
	RackTimeoutMS uint32
	Workers       []WorkerTimeout
	Dropped       int
}

// RouterTimeout is one H12 or H13.
type RouterTimeout struct {
	Code, ID, Dyno string
	At             time.Time
}

// RackTimeout is one telling rack-timeout line.
type RackTimeout struct {
	State     string
	ServiceMS uint32
}

// WorkerTimeout is an app server killing a worker that took too long.
type WorkerTimeout struct {
	Server, Dyno string
	At           time.Time
}

// routerTimeoutMS is how long the router waits for a response (H12).
const routerTimeoutMS = 30000

// maxRouterTimeouts is how many H12s and H13s are kept to match: enough to
// say how the app's timeouts relate to them, little next to the chunks.
const maxRouterTimeouts = 512

func (x *Timeouts) router(code, id, dyno []byte, t time.Time) {
	if len(x.Router) >= maxRouterTimeouts {
		x.Dropped++
		return
	}
	c := "H13"
	if string(code) == "H12" {
		c = "H12"
	}
	x.Router = append(x.Router, RouterTimeout{Code: c, ID: string(id), Dyno: string(dyno), At: t})
}

// rackTimeout reads "source=rack-timeout id=... wait=0ms timeout=29000ms
// service=55ms state=completed".
func (x *Timeouts) rackTimeout(msg []byte) {
	var id, state []byte
	var service, timeout uint32
	scanKV(msg, func(k, v []byte) {
		switch string(k) {
		case "id":
			id = clipKey(v, maxKeyBytes)
		case "state":
			state = v
		case "service":
			service, _ = parseMillis(v)
		case "timeout":
			timeout, _ = parseMillis(v)
		}
	})
	x.RackLines++
	x.RackTimeoutMS = max(x.RackTimeoutMS, timeout)
	telling := string(state) == "timed_out" || string(state) == "expired" ||
		(string(state) == "completed" && service >= routerTimeoutMS)
	if !telling || len(id) == 0 {
		return
	}
	if x.Rack == nil {
		x.Rack = map[string]RackTimeout{}
	}
	if _, ok := x.Rack[string(id)]; !ok && len(x.Rack) >= maxTracked {
		x.Dropped++
		return
	}
	x.Rack[string(id)] = RackTimeout{State: string(state), ServiceMS: service}
}

func (x *Timeouts) worker(server string, dyno []byte, t time.Time) {
	if len(x.Workers) >= maxTracked {
		x.Dropped++
		return
	}
	x.Workers = append(x.Workers, WorkerTimeout{Server: server, Dyno: string(dyno), At: t})
}

func (x *Timeouts) merge(o *Timeouts) {
	for _, r := range o.Router {
		if len(x.Router) >= maxRouterTimeouts {
			x.Dropped++
			continue
		}
		x.Router = append(x.Router, r)
	}
	for id, r := range o.Rack {
		if x.Rack == nil {
			x.Rack = map[string]RackTimeout{}
		}
		if _, ok := x.Rack[id]; !ok && len(x.Rack) >= maxTracked {
			x.Dropped++
			continue
		}
		x.Rack[id] = r
	}
	x.RackLines += o.RackLines
	x.RackTimeoutMS = max(x.RackTimeoutMS, o.RackTimeoutMS)
	for _, w := range o.Workers {
		if len(x.Workers) >= maxTracked {
			x.Dropped++
			continue
		}
		x.Workers = append(x.Workers, w)
	}
	x.Dropped += o.Dropped
}

var (
	rackSource    = []byte("source=rack-timeout")
	gunicornTO    = []byte("WORKER TIMEOUT")
	unicornTO     = []byte("), killing")
	pumaTO        = []byte("Terminating timed out worker")
	imeout        = []byte("imeout")
	unicornPrefix = []byte("timeout (")
)

// appTimeout notes an app server's own timeout lines: rack-timeout's
// (by request id), unicorn's "worker=0 PID:7773 timeout (31s > 30s),
// killing", gunicorn's "[CRITICAL] WORKER TIMEOUT (pid:14)" and Puma's
// "Terminating timed out worker".
func (a *Analyzer) appTimeout(dyno, msg []byte, t time.Time) {
	if i := bytes.Index(msg, imeout); i >= 0 {
		if j := bytes.Index(msg, rackSource); j >= 0 {
			a.st.Timeouts.rackTimeout(msg[j:])
			return
		}
		if bytes.Contains(msg, unicornPrefix) && bytes.HasSuffix(msg, unicornTO) {
			a.st.Timeouts.worker("unicorn", dyno, t)
			return
		}
	}
	if bytes.Contains(msg, gunicornTO) {
		a.st.Timeouts.worker("gunicorn", dyno, t)
	} else if bytes.Contains(msg, pumaTO) {
		a.st.Timeouts.worker("puma", dyno, t)
	}
}
