/* confab-tls-database.h: the system's trusted CAs plus an account's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_TLS_DATABASE (confab_tls_database_get_type ())

G_DECLARE_FINAL_TYPE (ConfabTlsDatabase, confab_tls_database, CONFAB, TLS_DATABASE, GTlsDatabase)

GTlsDatabase *confab_tls_database_new (const char  *ca_file,
                                       GError     **error);

G_END_DECLS
