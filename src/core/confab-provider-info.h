/* confab-provider-info.h: the providers Confab knows, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_PROTOCOL_OPENAI,
  CONFAB_PROTOCOL_AZURE,
  CONFAB_PROTOCOL_ANTHROPIC,
  CONFAB_PROTOCOL_GEMINI,
  CONFAB_PROTOCOL_OLLAMA,
} ConfabProtocol;

/* Behaviour of OpenAI-compatible endpoints that differs from OpenAI's. */
typedef enum
{
  CONFAB_QUIRK_NONE                  = 0,
  /* Send max_completion_tokens instead of the deprecated max_tokens. */
  CONFAB_QUIRK_MAX_COMPLETION_TOKENS = 1 << 0,
  /* The endpoint rejects or ignores stream_options.include_usage. */
  CONFAB_QUIRK_NO_STREAM_OPTIONS     = 1 << 1,
  /* DashScope: reasoning only with "enable_thinking": true. */
  CONFAB_QUIRK_ENABLE_THINKING       = 1 << 2,
  /* Spark: chunks carry "code"/"message"; a non-zero code is an error. */
  CONFAB_QUIRK_CODE_IN_CHUNKS        = 1 << 3,
  /* Zhipu: business error codes inside error.code decide the meaning. */
  CONFAB_QUIRK_ZHIPU_CODES           = 1 << 4,
  /* The base URL is the user's own (custom, self-hosted). */
  CONFAB_QUIRK_USER_BASE_URL         = 1 << 5,
} ConfabProviderQuirks;

typedef struct
{
  const char *id;
  const char *name;
  const char *name_zh;
  const char *base_url;
} ConfabProviderRegion;

struct _ConfabProviderInfo
{
  const char                 *id;
  const char                 *name;
  const char                 *name_zh;
  ConfabProtocol              protocol;
  const ConfabProviderRegion *regions;
  gboolean                    needs_key;
  const char * const         *models;
  guint                       quirks;
};

const char                       *confab_protocol_to_string             (ConfabProtocol            protocol);
const ConfabProviderInfo         *confab_provider_info_lookup           (const char               *id);
const ConfabProviderInfo * const *confab_provider_info_list             (guint                    *n_infos);
const ConfabProviderRegion       *confab_provider_info_lookup_region    (const ConfabProviderInfo *info,
                                                                         const char               *region_id);
guint                             confab_provider_info_get_n_regions    (const ConfabProviderInfo *info);
const char                       *confab_provider_info_get_display_name (const ConfabProviderInfo *info);

G_END_DECLS
