package desktop

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cartagena-c40/consulta/app"
)

// TestFormsFitLaptopScreen: with any form open, in any language, the
// window's content asks for no more than a 1366×768 laptop screen. Fyne
// widens a window to its content's minimum, and the longest theme names
// once made the note form push the window to 1,630 pixels, its save button
// off the screen.
func TestFormsFitLaptopScreen(t *testing.T) {
	for _, l := range []string{"es", "en", "pt", "fr"} {
		svc := newStore(t, true)
		svc.SetSetting(settingLang, l)
		a := test.NewTempApp(t)
		w := a.NewWindow("Consulta")
		u := New(a, w, svc)
		u.Show()
		for _, k := range []app.Kind{app.KindNote, app.KindProposal, app.KindInput, app.KindMeeting, app.KindComment} {
			u.browser.newRecord(k)
			if m := w.Content().MinSize(); m.Width > 1366 || m.Height > 740 {
				t.Errorf("%s, %s form open: the window needs %.0f×%.0f", l, k, m.Width, m.Height)
			}
			u.browser.closeForm()
		}
		u.Close()
	}
}
