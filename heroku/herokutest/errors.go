package herokutest

import hk "github.com/heroku/heroku-go/v6"

// APIError is an error as heroku-go returns it for an HTTP status, for the
// tests of code that classifies API errors without a server.
func APIError(status int, msg string) error { return statusError{status, msg} }

type statusError struct {
	status int
	msg    string
}

func (e statusError) Error() string { return e.msg }

// As lets errors.As find the heroku-go error the message stands for.
func (e statusError) As(target any) bool {
	if p, ok := target.(*hk.Error); ok {
		*p = hk.Error{StatusCode: e.status}
		return true
	}
	return false
}
