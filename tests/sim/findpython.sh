# Sourced: cloudsim_find_python sets CLOUDSIM_PYTHON to the interpreter of the first python3
# on PATH (then /usr/bin/python3) that has moto, boto3 and werkzeug; returns 1 if none.
# POSIX sh: walks $PATH itself ("command -v -a" is not POSIX; dash rejects it).  The modules
# are located, not imported (importing moto takes a second), and the real interpreter path is
# kept so that a pyenv shim is run only once.
cloudsim_find_python() {
	if [ -n "${CLOUDSIM_PYTHON:-}" ] && [ -x "$CLOUDSIM_PYTHON" ]; then
		return 0
	fi
	_cs_ifs=$IFS
	IFS=:
	for _cs_d in $PATH /usr/bin; do
		IFS=$_cs_ifs
		_cs_p="${_cs_d:-.}/python3"
		[ -x "$_cs_p" ] || continue
		_cs_exe=$("$_cs_p" -c 'import sys, importlib.util as u
if all(u.find_spec(m) for m in ("moto", "boto3", "werkzeug")): print(sys.executable)' 2>/dev/null)
		if [ -n "$_cs_exe" ]; then
			CLOUDSIM_PYTHON=$_cs_exe
			export CLOUDSIM_PYTHON
			return 0
		fi
	done
	IFS=$_cs_ifs
	return 1
}
