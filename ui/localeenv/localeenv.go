// Package localeenv tidies the locale environment before Fyne reads it.
//
// Fyne's lang package reads LANG and friends in its init function and logs
// an error for values such as "C.UTF-8", the default of many Debian
// installs and containers, which it cannot parse. main imports this package
// first; Go initializes it before Fyne's lang package, because it has no
// dependencies outside the standard library and its import path sorts
// before theirs (github.com/cartagena-c40 < github.com/jeandeaual, the
// locale library Fyne's lang waits for).
package localeenv

import (
	"os"
	"strings"
)

func init() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		val := os.Getenv(v)
		if val == "" {
			continue
		}
		// "C.UTF-8" and "POSIX.UTF-8" mean the plain C locale.
		if base, _, _ := strings.Cut(val, "."); base == "C" || base == "POSIX" {
			os.Setenv(v, base)
		}
		return // only the first one set counts
	}
}
