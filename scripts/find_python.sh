#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, the only version Rasa 3.6.21 supports.
# Order: $PYTHON310, python3.10 on the PATH, pyenv installs, the usual system locations, uv's.
set -u

is_python310() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
candidates+=(python3.10)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin; do
  [ -d "$dir" ] && candidates+=("$dir/python3.10")
done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10 python3)
# A Python installed by uv (`uv python install 3.10`), where uv is on the PATH.
if command -v uv >/dev/null 2>&1; then
  uv_python=$(uv python find 3.10 2>/dev/null) && candidates+=("$uv_python")
fi

for candidate in "${candidates[@]}"; do
  if is_python310 "$candidate"; then
    command -v "$candidate"
    exit 0
  fi
done

cat >&2 <<'MSG'
ERREUR : Python 3.10 est introuvable. Rasa 3.6 ne fonctionne qu'avec Python 3.10.
Installez-le, puis relancez la commande :
  - uv (Debian 12 et autres, sans droits root) : pip install uv && uv python install 3.10
  - pyenv           : pyenv install 3.10.13
  - Ubuntu 22.04    : sudo apt-get install python3.10 python3.10-venv
    (Debian 12 n'a pas de paquet python3.10 : utilisez uv, pyenv ou l'image Docker du Dockerfile)
  - ou indiquez son chemin : make PYTHON310=/chemin/vers/python3.10 <cible>
MSG
exit 1
