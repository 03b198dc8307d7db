/* confab-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "confab-error.h"

G_DEFINE_QUARK (confab-error-quark, confab_error)

static const char * const code_names[] = {
  [CONFAB_ERROR_AUTH] = "auth",
  [CONFAB_ERROR_REGION] = "region",
  [CONFAB_ERROR_RATE_LIMIT] = "rate-limit",
  [CONFAB_ERROR_QUOTA] = "quota",
  [CONFAB_ERROR_BAD_REQUEST] = "bad-request",
  [CONFAB_ERROR_NOT_FOUND] = "not-found",
  [CONFAB_ERROR_SERVER] = "server",
  [CONFAB_ERROR_NETWORK] = "network",
  [CONFAB_ERROR_TLS] = "tls",
  [CONFAB_ERROR_TIMEOUT] = "timeout",
  [CONFAB_ERROR_PROTOCOL] = "protocol",
  [CONFAB_ERROR_CANCELLED] = "cancelled",
  [CONFAB_ERROR_KEYRING] = "keyring",
};

const char *
confab_error_code_to_string (ConfabErrorCode code)
{
  g_return_val_if_fail (code <= CONFAB_ERROR_KEYRING, "protocol");

  return code_names[code];
}

gboolean
confab_error_code_from_string (const char      *str,
                               ConfabErrorCode *code)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (code_names); i++)
    {
      if (g_str_equal (str, code_names[i]))
        {
          if (code != NULL)
            *code = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Errors from GIO, libsoup or libsecret that reach the user are folded into
 * the CONFAB_ERROR codes; anything unknown is a network problem, the most
 * honest guess for an I/O failure. */
ConfabErrorCode
confab_error_code_from_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, CONFAB_ERROR_PROTOCOL);

  if (error->domain == CONFAB_ERROR)
    return error->code;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CONFAB_ERROR_CANCELLED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return CONFAB_ERROR_TIMEOUT;
  if (error->domain == G_TLS_ERROR)
    return CONFAB_ERROR_TLS;

  return CONFAB_ERROR_NETWORK;
}

/* Transient failures worth another attempt before any reply byte arrived. */
gboolean
confab_error_code_is_retryable (ConfabErrorCode code)
{
  return code == CONFAB_ERROR_RATE_LIMIT ||
         code == CONFAB_ERROR_SERVER ||
         code == CONFAB_ERROR_NETWORK ||
         code == CONFAB_ERROR_TIMEOUT;
}

/* Failures where another account can carry the conversation on. */
gboolean
confab_error_code_allows_failover (ConfabErrorCode code)
{
  return code == CONFAB_ERROR_AUTH ||
         code == CONFAB_ERROR_REGION ||
         code == CONFAB_ERROR_QUOTA ||
         code == CONFAB_ERROR_RATE_LIMIT ||
         code == CONFAB_ERROR_SERVER ||
         code == CONFAB_ERROR_NETWORK ||
         code == CONFAB_ERROR_TIMEOUT;
}
