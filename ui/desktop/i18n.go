package desktop

import (
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/assets"
)

var langMu sync.Mutex

// useLanguage makes l the language of lang.L.
//
// Fyne's lang package picks its language from the environment when
// translations are added and offers no call to change it later, so
// switching language in settings sets LANGUAGE and LC_ALL for this process
// and adds the translations again, which makes Fyne pick again.
func useLanguage(l app.Lang) {
	langMu.Lock()
	defer langMu.Unlock()
	os.Setenv("LANGUAGE", string(l))
	os.Setenv("LC_ALL", string(l))
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		fyne.LogError("loading translations", err)
	}
}

// systemLanguage is the system locale's language when it is one of the
// consultation's, else Spanish, the language most delegates write in.
func systemLanguage() app.Lang {
	loc := strings.ToLower(lang.SystemLocale().LanguageString())
	if len(loc) >= 2 {
		if l, err := app.ParseLang(loc[:2]); err == nil {
			return l
		}
	}
	return "es"
}

// languageNames are the languages as their speakers name them.
var languageNames = map[app.Lang]string{"es": "Español", "en": "English", "pt": "Português", "fr": "Français"}
