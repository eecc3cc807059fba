package export

import (
	"strings"
	"unicode"
	"unicode/utf16"
)

// SafeFileName makes name (a file name with its extension, not a path) one
// that Windows, macOS and Linux all accept, for the names Consulta proposes
// when it saves a file; a name a person typed is left to the system to judge.
// Windows is the strict one (see "Naming Files, Paths, and Namespaces" in
// Microsoft's documentation):
//
//   - the characters < > : " / \ | ? * and the control characters cannot be
//     used: each becomes '-';
//   - a name ending in a dot or a space loses them (Windows would drop
//     them silently, and then the name shown is not the name on disk);
//   - the device names CON, PRN, AUX, NUL, COM0..COM9 and LPT0..LPT9 (and
//     COM¹..³, LPT¹..³), alone or before an extension ("nul.csv"), open the
//     device rather than a file: they get a leading '_';
//   - a name is at most 255 UTF-16 units: a longer one is cut before its
//     extension.
//
// An empty result becomes "consulta".
//
// No library of the project's dependencies does this (Go's path/filepath
// only checks, with filepath.IsLocal, and only on Windows itself), so it is
// written here, from Microsoft's list.
func SafeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '-'
		}
		return r
	}, name)
	name = strings.TrimLeftFunc(name, unicode.IsSpace)
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return "consulta"
	}
	stem, _, _ := strings.Cut(name, ".")
	if reservedName(strings.TrimRight(stem, " ")) {
		name = "_" + name
	}
	return truncateUTF16(name, 255)
}

// reservedName reports whether s is one of Windows' device names.
func reservedName(s string) bool {
	switch strings.ToUpper(s) {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	r := []rune(strings.ToUpper(s))
	if len(r) != 4 || (string(r[:3]) != "COM" && string(r[:3]) != "LPT") {
		return false
	}
	return (r[3] >= '0' && r[3] <= '9') || r[3] == '¹' || r[3] == '²' || r[3] == '³'
}

// truncateUTF16 cuts name to at most max UTF-16 units, keeping its
// extension (the part from the last dot) whole where it is short.
func truncateUTF16(name string, max int) string {
	if len(utf16.Encode([]rune(name))) <= max {
		return name
	}
	stem, ext := name, ""
	if i := strings.LastIndex(name, "."); i > 0 && len(name)-i <= 16 {
		stem, ext = name[:i], name[i:]
	}
	room := max - len(utf16.Encode([]rune(ext)))
	n := 0
	cut := 0
	for i, r := range stem {
		w := utf16.RuneLen(r)
		if n+w > room {
			break
		}
		n += w
		cut = i + len(string(r))
	}
	return strings.TrimRight(stem[:cut], ". ") + ext
}
