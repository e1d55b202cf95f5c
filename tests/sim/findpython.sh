# Sourced: cloudsim_find_python sets CLOUDSIM_PYTHON to the first python3 on PATH
# (then /usr/bin/python3) that can import moto, boto3 and werkzeug; returns 1 if none.
# POSIX sh: walks $PATH itself ("command -v -a" is not POSIX; dash rejects it).
cloudsim_find_python() {
	_cs_ifs=$IFS
	IFS=:
	for _cs_d in $PATH /usr/bin; do
		IFS=$_cs_ifs
		_cs_p="${_cs_d:-.}/python3"
		if [ -x "$_cs_p" ] && "$_cs_p" -c 'import moto, boto3, werkzeug' 2>/dev/null; then
			CLOUDSIM_PYTHON=$_cs_p
			export CLOUDSIM_PYTHON
			return 0
		fi
	done
	IFS=$_cs_ifs
	return 1
}
