/* fuzz-error-body.c: every provider's error-body parser
 *
 * Input: one byte choosing the provider (every preset), two bytes giving
 * the HTTP status (mapped into 100–599), then the body. Whatever the body
 * says, confab_provider_parse_error() must return one CONFAB_ERROR whose
 * message is valid UTF-8: it goes to a GtkLabel and to a terminal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-provider.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const ConfabProviderInfo * const *infos;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after_ms = -1;
  guint n_infos;
  guint status;

  confab_fuzz_init ();
  if (size < 3)
    return 0;

  infos = confab_provider_info_list (&n_infos);
  provider = confab_provider_new (infos[data[0] % n_infos]);
  status = 100 + (data[1] | data[2] << 8) % 500;
  body = g_bytes_new (data + 3, size - 3);

  error = confab_provider_parse_error (provider, status, size > 3 ? body : NULL,
                                       &retry_after_ms);
  confab_fuzz_require (error != NULL);
  confab_fuzz_require (error->domain == CONFAB_ERROR);
  confab_fuzz_check_utf8 (error->message, -1, "the error message");
  return 0;
}
