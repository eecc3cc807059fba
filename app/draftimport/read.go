package draftimport

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// MaxSize is the largest file Read accepts: 20 MiB. A zero draft's text is
// a few hundred KB at most; a file near the limit is mostly pictures, which
// the import leaves out anyway.
const MaxSize = 20 << 20

// Extensions are the file name extensions of the formats Read accepts, for
// a file chooser's filter. Read itself goes by content first.
var Extensions = []string{".docx", ".md", ".markdown", ".txt"}

// ReadFile reads the zero draft at path. See Read.
func ReadFile(path string) (*Outline, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail(name, Unreadable, err, "there is no such file (was it moved or renamed?)")
		}
		return nil, fail(name, Unreadable, err, "the file cannot be opened (you may not have permission to read it)")
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, fail(name, Unreadable, nil, "it is a folder, not a file")
		}
		if fi.Size() > MaxSize {
			return nil, tooLarge(name, fi.Size())
		}
	}
	return Read(name, f)
}

// Read reads a zero draft from r. name is the file's name: it is used in
// error messages and, when the bytes alone do not tell, its extension
// chooses between Markdown (.md, .markdown) and plain text.
//
// The error, when there is one, is an *Error whose Kind is TooLarge, Empty,
// NotDOCX, Unsupported, Binary, Damaged, NoParagraphs, or Unreadable when r
// itself fails.
func Read(name string, r io.Reader) (*Outline, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fail(displayName(name), Unreadable, err, "the file could not be read to the end")
	}
	return ReadBytes(name, data)
}

// ReadBytes is Read on bytes already in memory.
func ReadBytes(name string, data []byte) (*Outline, error) {
	file := displayName(name)
	if len(data) > MaxSize {
		return nil, tooLarge(file, -1) // Read stops at MaxSize+1 bytes
	}
	if len(data) == 0 {
		return nil, fail(file, Empty, nil, "the file is empty")
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case isZip(data):
		return readDOCX(file, data)
	case bytes.HasPrefix(data, oleMagic):
		return nil, fail(file, Unsupported, nil, "it is an old-style Word document (.doc, Word 97–2003) or a password-protected one; "+
			"open it in Word or LibreOffice, save it as .docx without a password, and import that")
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, fail(file, Unsupported, nil, "it is a PDF, whose paragraphs and headings cannot be read reliably; "+
			"import the .docx or text file the PDF was made from")
	case bytes.HasPrefix(data, []byte(`{\rtf`)):
		return nil, fail(file, Unsupported, nil, "it is an RTF document; open it in Word or LibreOffice, save it as .docx, and import that")
	case ext == ".docx" || ext == ".docm" || ext == ".dotx" || ext == ".odt" || ext == ".doc":
		return nil, fail(file, NotDOCX, nil, "it is named %s but is not a word-processor document "+
			"(it may be damaged, or renamed from another kind of file)", ext)
	}
	text, warns, err := decodeText(file, data)
	if err != nil {
		return nil, err
	}
	if isMarkup(text) {
		return nil, fail(file, Unsupported, nil, "it is a web page or an XML file, not a draft's text; "+
			"open it in Word or LibreOffice, save it as .docx, and import that")
	}
	if isMarkdown(ext, text) {
		return readMarkdown(file, text, warns)
	}
	return readText(file, text, warns)
}

// displayName is the name errors give: the file's own, without folders
// (empty when the caller gave none).
func displayName(name string) string {
	if name == "" {
		return ""
	}
	return filepath.Base(name)
}

// tooLarge words the refusal of a file over MaxSize; size is its size when
// known (from the file system), or negative.
func tooLarge(file string, size int64) *Error {
	what := "over " + megabytes(MaxSize)
	if size > 0 {
		what = megabytes(size)
	}
	return fail(file, TooLarge, nil, "it is %s, and a draft to import can be at most %s; "+
		"if it holds pictures, save a copy without them and import that", what, megabytes(MaxSize))
}

func megabytes(n int64) string {
	mb := float64(n) / (1 << 20)
	if mb < 10 {
		return strings.TrimSuffix(strings.TrimSuffix(formatFloat(mb, 1), "0"), ".") + " MB"
	}
	return formatFloat(mb, 0) + " MB"
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func isZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06")) ||
		bytes.HasPrefix(b, []byte("PK\x07\x08"))
}

// decodeText turns a text file's bytes into a string: UTF-8 (a byte order
// mark is dropped), UTF-16 when it starts with its byte order mark (as
// Windows Notepad's "Unicode" writes), and otherwise Windows-1252, a superset
// of Latin-1 that older Windows editors save Spanish, Portuguese and French
// in: every byte decodes, so the test that the result is text comes after.
func decodeText(file string, data []byte) (string, []Warning, error) {
	var warns []Warning
	var s string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		s = string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", nil, fail(file, Binary, err, "it starts like a UTF-16 text file but does not decode as one")
		}
		s = string(b)
	case utf8.Valid(data):
		s = string(data)
	default:
		b, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", nil, fail(file, Binary, err, "its text is in an encoding that cannot be read")
		}
		s = string(b)
		warns = append(warns, Warning{Code: WarnWindows1252, Message: "the file is not in UTF-8: it was read as Windows-1252 (Latin-1); check that accented letters look right"})
	}
	if looksBinary(s) {
		return "", nil, fail(file, Binary, nil, "it is neither text nor a Word document (it may be a picture, a program or a damaged file); "+
			"Consulta imports .docx, Markdown (.md) and plain text (.txt)")
	}
	if strings.TrimSpace(s) == "" {
		return "", nil, fail(file, Empty, nil, "the file has no text in it")
	}
	return s, warns, nil
}

// looksBinary reports whether s has a NUL or more than 1% control
// characters other than tab, line feed, carriage return and form feed:
// text editors write none, while pictures and programs are full of them.
func looksBinary(s string) bool {
	n, bad := 0, 0
	for _, r := range s {
		n++
		switch {
		case r == 0:
			return true
		case r == '\t' || r == '\n' || r == '\r' || r == '\f':
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			bad++
		}
	}
	return bad > 0 && bad*100 > n
}

// isMarkup reports whether a text file is HTML or XML (a web page, Word's
// 2003 XML format, a flat OpenDocument file), which the text reader would
// import tags and all.
func isMarkup(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text[:min(len(text), 512)]))
	return strings.HasPrefix(t, "<?xml") || strings.HasPrefix(t, "<!doctype") || strings.HasPrefix(t, "<html")
}
