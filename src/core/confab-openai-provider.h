/* confab-openai-provider.h: OpenAI Chat Completions and compatible endpoints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_OPENAI_PROVIDER (confab_openai_provider_get_type ())

G_DECLARE_DERIVABLE_TYPE (ConfabOpenaiProvider, confab_openai_provider, CONFAB, OPENAI_PROVIDER, ConfabProvider)

struct _ConfabOpenaiProviderClass
{
  ConfabProviderClass parent_class;
};

JsonBuilder *confab_openai_provider_build_body (ConfabOpenaiProvider *self,
                                                ConfabChatRequest    *request,
                                                gboolean              send_model);

G_END_DECLS
