package app

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorKind classifies an Error so callers can branch on it while people read
// the message.
type ErrorKind int

// The kinds of error the core reports.
const (
	Other          ErrorKind = iota
	Invalid                  // the input breaks a rule: a field, a code, a size
	NotFound                 // no record, workspace or operation with that id
	Exist                    // the thing to create already exists
	Locked                   // the data directory is in use by another process
	Corrupt                  // stored bytes do not decode or do not verify
	Foreign                  // the directory or data belongs to something else
	NotInitialized           // the data directory holds no workspace yet
	Passphrase               // the data is protected: its passphrase is needed, or was wrong
	DiskFull                 // the disk lacks the free space a write needs; nothing was written
	Forbidden                // this laptop's member has no role for it (roles.go)
)

func (k ErrorKind) String() string {
	switch k {
	case Invalid:
		return "invalid input"
	case NotFound:
		return "not found"
	case Exist:
		return "already exists"
	case Locked:
		return "in use"
	case Corrupt:
		return "corrupt data"
	case Foreign:
		return "foreign data"
	case NotInitialized:
		return "not initialized"
	case Passphrase:
		return "passphrase needed"
	case DiskFull:
		return "disk full"
	case Forbidden:
		return "not allowed"
	}
	return "error"
}

// Error is the error type of the core. Op names the operation that failed
// ("add", "open"); Field names the offending input, if any; Valid lists the
// accepted values when the input had to be one of them.
type Error struct {
	Op    string
	Kind  ErrorKind
	Field string
	Msg   string
	Valid []string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	if len(e.Valid) > 0 {
		b.WriteString(" (valid: ")
		b.WriteString(strings.Join(e.Valid, ", "))
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first *Error in err's chain, or Other.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Errorf builds an *Error of the given kind.
func Errorf(op string, kind ErrorKind, format string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// invalid builds an Invalid error about one field.
func invalid(field, msg string, valid ...string) *Error {
	return &Error{Kind: Invalid, Field: field, Msg: msg, Valid: valid}
}
