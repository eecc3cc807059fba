package desktop

import (
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/cartagena-c40/consulta/app"
)

// clockWarnings are the sentences that say whose clock is off, for the
// Peers tab and the status line under the records.
func clockWarnings(skews []app.ClockSkew) []string {
	var out []string
	for _, s := range skews {
		data := map[string]any{"Name": s.Name, "Amount": roughAmount(s.Offset)}
		ahead := s.Offset > 0
		var text string
		switch {
		case s.Self && ahead:
			text = lang.L("This laptop's clock is {{.Amount}} ahead of the others': set the date and time in the system settings.", data)
		case s.Self:
			text = lang.L("This laptop's clock is {{.Amount}} behind the others': set the date and time in the system settings.", data)
		case s.Relative && ahead:
			text = lang.L("The clock of {{.Name}} is {{.Amount}} ahead of this laptop's: one of the two is wrong.", data)
		case s.Relative:
			text = lang.L("The clock of {{.Name}} is {{.Amount}} behind this laptop's: one of the two is wrong.", data)
		case ahead:
			text = lang.L("The clock of {{.Name}} is {{.Amount}} ahead of the others'.", data)
		default:
			text = lang.L("The clock of {{.Name}} is {{.Amount}} behind the others'.", data)
		}
		out = append(out, "⚠ "+text)
	}
	return out
}

// roughAmount is how far a clock is off, in words: "2 years".
func roughAmount(d time.Duration) string {
	n, unit := app.RoughDuration(d)
	data := map[string]any{"N": n}
	one := n == 1
	switch unit {
	case "year":
		if one {
			return lang.L("1 year")
		}
		return lang.L("{{.N}} years", data)
	case "month":
		if one {
			return lang.L("1 month")
		}
		return lang.L("{{.N}} months", data)
	case "day":
		if one {
			return lang.L("1 day")
		}
		return lang.L("{{.N}} days", data)
	case "hour":
		if one {
			return lang.L("1 hour")
		}
		return lang.L("{{.N}} hours", data)
	}
	if one {
		return lang.L("1 minute")
	}
	return lang.L("{{.N}} minutes", data)
}

// shownTime is a time as the screens show it: never later than now, and
// marked when it had to be held back because it was written on a laptop
// whose clock was ahead (app.ShownTime).
func shownTime(h app.HLC) string {
	t, ahead := app.ShownTime(h, time.Now())
	s := t.Local().Format(time.DateTime)
	if ahead {
		s = "⚠ " + s + " " + lang.L("(at the latest: written on a laptop whose clock was ahead)")
	}
	return s
}
