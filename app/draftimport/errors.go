package draftimport

import "fmt"

// ErrorKind says what is wrong with a file, so that a caller can branch on it
// while people read the message.
type ErrorKind int

// The kinds of bad input Read reports.
const (
	Unreadable   ErrorKind = iota // the file could not be read at all (an I/O error)
	TooLarge                      // over MaxSize, or its text over maxPartSize once unpacked
	Empty                         // no bytes, or nothing but blank space
	NotDOCX                       // named or shaped like a Word document but it is not one
	Unsupported                   // a format this package does not read: .doc, .odt, PDF, RTF
	Binary                        // not text: an image, a program, random bytes
	Damaged                       // a Word document whose inside does not read
	NoParagraphs                  // read fine but has no paragraph to import
)

func (k ErrorKind) String() string {
	switch k {
	case Unreadable:
		return "unreadable"
	case TooLarge:
		return "too large"
	case Empty:
		return "empty"
	case NotDOCX:
		return "not a Word document"
	case Unsupported:
		return "unsupported format"
	case Binary:
		return "not text"
	case Damaged:
		return "damaged"
	case NoParagraphs:
		return "no paragraphs"
	}
	return "error"
}

// Error is the error Read returns for bad input. Its message names the file
// (File, without its folders) and says what is wrong in words a delegate understands, with what to do
// when there is something to do; the technical cause, if any, is in Err.
type Error struct {
	File string
	Kind ErrorKind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.File == "" {
		return "cannot import the file: " + e.Msg
	}
	return fmt.Sprintf("cannot import %q: %s", e.File, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

func fail(file string, kind ErrorKind, cause error, format string, args ...any) *Error {
	return &Error{File: file, Kind: kind, Msg: fmt.Sprintf(format, args...), Err: cause}
}
