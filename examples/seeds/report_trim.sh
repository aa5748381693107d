# shellcheck shell=bash
# report_trim.sh — sourced by demo.sh and gen_docs.sh: report_trim SRC BUILD
# shortens a lifeguard text report on stdin for reading, and only that:
# source paths relative to the tree, the models' own module+offset left
# out, no frames below main.
report_trim() {
    local src=$1 build
    build=$(cd "$2" && pwd)
    sed -E -e 's# \([^ ()]*/examples/seeds/0[1-5]_[a-z_]+\+0x[0-9a-f]+\)$##' \
        -e "s#$src/##g" -e "s#$build/##g" |
        grep -Ev ' in (__libc_start_call_main|__libc_start_main_impl|_start)( |$)'
}
