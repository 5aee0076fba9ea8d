// Package heroku finds the credentials, the API host and the app as the
// Heroku CLI does, and builds the heroku-go client every check shares: one
// rate-limit-aware transport with retries, sending the token only to Heroku.
package heroku

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	hk "github.com/heroku/heroku-go/v6"
)

// Setup errors stop a run before any check starts; main prints their one
// line and exits 3. Each says what to do.
type (
	// CredentialsError: no token anywhere.
	CredentialsError struct{ Msg string }
	// AuthError: the API refused the token (401) or the account (403).
	AuthError struct {
		Status int
		Msg    string
	}
	// NotFoundError: the app (or team) does not exist or is not visible.
	NotFoundError struct{ Msg string }
	// UnreachableError: the API did not answer.
	UnreachableError struct{ Msg string }
	// HostError: HEROKU_HOST is malformed or not a Heroku host.
	HostError struct{ Msg string }
	// AppError: the app could not be inferred.
	AppError struct{ Msg string }
)

func (e *CredentialsError) Error() string { return e.Msg }
func (e *AuthError) Error() string        { return e.Msg }
func (e *NotFoundError) Error() string    { return e.Msg }
func (e *UnreachableError) Error() string { return e.Msg }
func (e *HostError) Error() string        { return e.Msg }
func (e *AppError) Error() string         { return e.Msg }

// noCredentialsMsg is the line CONTRACT.md gives for a missing token.
const noCredentialsMsg = "not logged in to Heroku: run heroku login or set HEROKU_API_KEY"

// StatusCode returns the HTTP status of a Platform API error, 0 if err is not one.
func StatusCode(err error) int {
	var he hk.Error
	if errors.As(err, &he) {
		return he.StatusCode
	}
	var hep *hk.Error
	if errors.As(err, &hep) {
		return hep.StatusCode
	}
	return 0
}

// Classify turns an error from an API call about app into the setup error a
// user understands, or returns it unchanged when it is none of those.
func Classify(err error, what string) error {
	if err == nil {
		return nil
	}
	switch StatusCode(err) {
	case 401:
		return &AuthError{Status: 401, Msg: "the Heroku API rejected the token (401 Unauthorized): run heroku login or set a valid HEROKU_API_KEY"}
	case 403:
		return &AuthError{Status: 403, Msg: fmt.Sprintf("the Heroku API refused access to %s (403 Forbidden): ask an admin of the app or team for access", what)}
	case 404:
		return &NotFoundError{Msg: fmt.Sprintf("%s not found (404): check the name with heroku apps, or whether your account can see it", what)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &UnreachableError{Msg: "the Heroku API did not answer in time: check your network or raise --timeout"}
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return &UnreachableError{Msg: fmt.Sprintf("cannot reach the Heroku API: %v (check your network, proxy or HEROKU_HOST)", rootCause(err))}
	}
	return err
}

func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// IsSetupError tells whether err stops the run (exit 3) rather than a check.
func IsSetupError(err error) bool {
	var (
		c *CredentialsError
		a *AuthError
		n *NotFoundError
		u *UnreachableError
		h *HostError
		p *AppError
	)
	return errors.As(err, &c) || errors.As(err, &a) || errors.As(err, &n) ||
		errors.As(err, &u) || errors.As(err, &h) || errors.As(err, &p)
}
