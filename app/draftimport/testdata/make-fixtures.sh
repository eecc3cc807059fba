#!/bin/sh
# Rebuilds the word-processor fixtures from their .fodt sources with
# LibreOffice (Debian: apt-get install --no-install-recommends
# libreoffice-writer-nogui): each .fodt as .docx, and borrador-cero as
# "Save as text" writes it in Windows-1252. The tests read the committed
# files and never need LibreOffice.
set -eu
cd "$(dirname "$0")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
soffice() {
	HOME="$profile" command soffice --headless -env:UserInstallation=file://"$profile" "$@"
}
for f in *.fodt; do
	soffice --convert-to docx --outdir . "$f"
done
soffice --convert-to "txt:Text (encoded):1252" --outdir "$profile/txt" borrador-cero.fodt
mv "$profile/txt/borrador-cero.txt" borrador-cero-1252.txt
