/**
 * What poets-send-nsca prints for -h, -V and -l. The layout and the rules follow send_nsca 2.10
 * (a blank line, a banner ending with "Encryption Routines: AVAILABLE" and a blank line, on
 * standard output; the usage for -h or a bad command line, without the ETB note after
 * --legacy-2-7-mode); the wording is this port's own. The banner's first line starts with "NSCA
 * Client 2.10.2", the version whose behaviour this command reproduces, for scripts that look
 * for it.
 */

/** The send_nsca version this command behaves as. */
export const SEND_NSCA_VERSION = '2.10.2';

/** This command's own version. */
export const POETS_SEND_NSCA_VERSION = '0.1.0';

export function banner(): string {
  return [
    '',
    `NSCA Client ${SEND_NSCA_VERSION} (poets-send-nsca ${POETS_SEND_NSCA_VERSION})`,
    'A drop-in send_nsca written in TypeScript on the poets kernel',
    'Behaves as: send_nsca 2.10.2 (Debian), reads /etc/send_nsca.cfg by default',
    'License: MIT',
    'Encryption Routines: AVAILABLE',
    '',
    '',
  ].join('\n');
}

export function usage(program: string, legacy: boolean): string {
  const lines = [
    `Usage: ${program} [--quiet] -H <host_address> [-p port] [-to to_sec] [-d delim] [-ds set_delim] [-c config_file] [--legacy-2-7-mode]`,
    '',
    'Options:',
    ' --quiet            = Print nothing when all went well',
    ' <host_address>     = Host name or address of the NSCA daemon',
    ' [port]             = Its TCP port (default 5667)',
    ' [to_sec]           = Seconds the whole run may take, connecting included',
    '                      (default 10)',
    ' [delim]            = Field delimiter of the input (default: tab). A number',
    '                      such as 0x09 or 44 gives that byte.',
    ' [set_delim]        = Delimiter between check results (sets) of the input',
    '                      (default: ETB). A number such as 0x17 gives that byte.',
    ' [config_file]      = Configuration file (default /etc/send_nsca.cfg)',
    ' --legacy-2-7-mode  = Send 720-byte packets for an NSCA 2.7 daemon (a',
    '                      legacy_2_7_mode line in the configuration wins).',
    '',
    'Check results are read from standard input, one per set:',
    '',
    'Service check:',
    '<host_name>[tab]<svc_description>[tab]<return_code>[tab]<plugin_output>[newline]',
    '',
    'Host check:',
    '<host_name>[tab]<return_code>[tab]<plugin_output>[newline]',
    '',
  ];
  if (!legacy) {
    lines.push('Newlines do not separate results: put the ETB character (^W, 0x17) between', 'them to send several in one run.');
  }
  return `${lines.join('\n')}\n`;
}

export function license(): string {
  return [
    'poets-send-nsca is free software under the MIT License: you may use, copy, modify',
    'and distribute it, provided the copyright notice and the permission notice are',
    'kept. It comes WITHOUT ANY WARRANTY, to the extent permitted by law.',
    '',
    '',
  ].join('\n');
}
