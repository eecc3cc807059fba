// Package draftimport reads a zero draft — the text a secretariat circulates
// before the negotiation starts — from a Word document (.docx), Markdown or
// plain text into a neutral Outline: a title and, in reading order, section
// headings (with their depth) and paragraphs. It writes nothing: the caller
// shows Preview to the delegate first and only then turns the outline into a
// draft record.
//
//	o, err := draftimport.ReadFile("borrador-cero.docx")
//	if err != nil {
//		return err // a *draftimport.Error, written for the delegate
//	}
//	fmt.Print(draftimport.Preview(o))
//
// What the package settles, so that every format gives the same kind of
// outline:
//
//   - The format is found from the bytes first (a zip holding
//     word/document.xml is a DOCX; an old .doc, an .odt, a PDF or RTF file is
//     refused by name), then from the extension (.md, .markdown: Markdown;
//     anything else that is text: plain text).
//   - Text is NFC-normalised UTF-8; a UTF-8 or UTF-16 byte order mark is
//     honoured and a file that is not valid UTF-8 is read as Windows-1252,
//     the encoding older Windows editors save in. Inside a paragraph, line
//     breaks and tabs become single spaces: a paragraph is one flow of text.
//   - A paragraph number the author typed by hand ("1. ", "12) ", "PP3 ",
//     "OP 4.") is taken off the text and kept in Block.Number, since Consulta
//     numbers paragraphs itself; PP and OP labels (and headings such as
//     "Preámbulo" or "Operative part") mark the preambular and operative
//     parts. A number the word processor draws (a numbered list) is not part
//     of the text at all.
//   - Heading levels are renumbered by depth: a draft whose chapters use
//     Heading 2 and sub-sections Heading 4 gets levels 1 and 2.
//   - Bad input gets an *Error naming the file and saying, in plain words, what
//     is wrong with it; nothing panics on bad bytes (see FuzzRead).
//
// Each format's own rules (which DOCX styles are headings, what counts as a
// heading in plain text) are described in docx.go, markdown.go and text.go.
package draftimport
