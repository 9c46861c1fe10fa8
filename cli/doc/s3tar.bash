# bash completion for s3tar. Install as /usr/share/bash-completion/completions/s3tar (the
# container image does), or source it from ~/.bashrc. tests/e2e/test_man_page.py keeps the
# option lists in step with each command's --help.

_s3tar() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"

  local tar_opts="-c --create -t --list -x --extract --generate-toc --generate-manifest
    -f --file -C --location --directory -m --manifest --skipManifestHeader --skip-manifest-header
    --urldecode --manifest-format --storage-class --size-limit --spool-limit --format --tagging --sse --sse-algo
    --kms-key-id --sse-kms-key-id --skip-unreadable --dry-run --report --concat-in-memory
    --extended --external-toc --max-part-size --part-size --min-part-size --server-max-part-size
    --max-parts --max-object-size -v --verbose --debug --json --region --endpoint-url --endpointUrl
    --profile --max-attempts --concurrency --goroutines --path-style --virtual-host
    --no-verify-ssl -h --help -V --print-version --version"
  local verify_opts="-f --file --content -v --verbose --debug --json --region --endpoint-url --endpointUrl
    --profile --max-attempts --concurrency --goroutines --path-style --virtual-host
    --no-verify-ssl -h --help"
  local run_opts="--config --date --dry-run --shard --tag-sources -v --verbose --debug -h --help"
  local inventory_opts="--config --date -o --output --json -v --verbose --debug -h --help"
  local find_opts="--config --from --to --version --json -v --verbose -h --help"
  local restore_opts="--config -f --file -C --directory --tier --days --dry-run --prices --from --to
    --version --json -v --verbose --region --endpoint-url --profile --path-style --virtual-host -h --help"

  case "$prev" in
    --storage-class)
      COMPREPLY=($(compgen -W "STANDARD STANDARD_IA ONEZONE_IA INTELLIGENT_TIERING GLACIER DEEP_ARCHIVE GLACIER_IR" -- "$cur"))
      return ;;
    --format) COMPREPLY=($(compgen -W "pax gnu" -- "$cur")); return ;;
    --tier) COMPREPLY=($(compgen -W "Bulk Standard Expedited" -- "$cur")); return ;;
    --manifest-format) COMPREPLY=($(compgen -W "s3tar batch" -- "$cur")); return ;;
    --sse | --sse-algo) COMPREPLY=($(compgen -W "AES256 aws:kms aws:kms:dsse" -- "$cur")); return ;;
    -m | --manifest | --report | --external-toc | --config | --prices | -o | --output | -C | --location | --directory)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --profile)
      local profiles
      profiles=$(sed -n 's/^\[\(profile \)\{0,1\}\([^]]*\)\]$/\2/p' "${AWS_CONFIG_FILE:-$HOME/.aws/config}" 2>/dev/null)
      COMPREPLY=($(compgen -W "$profiles" -- "$cur")); return ;;
  esac

  local opts="$tar_opts"
  case "${COMP_WORDS[1]}" in
    verify) opts="$verify_opts" ;;
    run) opts="$run_opts" ;;
    inventory) opts="$inventory_opts" ;;
    find) opts="$find_opts" ;;
    restore) opts="$restore_opts" ;;
    *)
      if ((COMP_CWORD == 1)) && [[ "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "verify run inventory find restore" -- "$cur"))
        return
      fi ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _s3tar s3tar
