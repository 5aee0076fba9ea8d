// Package nettest holds the tests' loopback servers that no check package
// should build for itself.
package nettest

import (
	"net"
	"testing"
)

// Silent starts a loopback TCP server that accepts every connection and
// never says a word (a hung server: TLS that never handshakes, Postgres or
// Redis that never answers), holding the connections open until the test
// ends. It returns the server's address.
func Silent(t testing.TB) *net.TCPAddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return l.Addr().(*net.TCPAddr)
}
