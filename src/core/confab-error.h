/* confab-error.h: the CONFAB_ERROR domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CONFAB_ERROR (confab_error_quark ())

/**
 * ConfabErrorCode:
 *
 * What went wrong, in the terms a user (and confab-cli's exit status) cares
 * about. The string form of each code is part of confab-cli's contract.
 */
typedef enum
{
  CONFAB_ERROR_AUTH,
  CONFAB_ERROR_REGION,
  CONFAB_ERROR_RATE_LIMIT,
  CONFAB_ERROR_QUOTA,
  CONFAB_ERROR_BAD_REQUEST,
  CONFAB_ERROR_NOT_FOUND,
  CONFAB_ERROR_SERVER,
  CONFAB_ERROR_NETWORK,
  CONFAB_ERROR_TLS,
  CONFAB_ERROR_TIMEOUT,
  CONFAB_ERROR_PROTOCOL,
  CONFAB_ERROR_CANCELLED,
  CONFAB_ERROR_KEYRING,
} ConfabErrorCode;

GQuark        confab_error_quark              (void);
const char   *confab_error_code_to_string     (ConfabErrorCode  code);
gboolean      confab_error_code_from_string   (const char      *str,
                                               ConfabErrorCode *code);
ConfabErrorCode confab_error_code_from_error  (const GError    *error);
gboolean      confab_error_code_is_retryable  (ConfabErrorCode  code);
gboolean      confab_error_code_allows_failover (ConfabErrorCode code);

G_END_DECLS
