/* confab-anthropic-provider.h: Anthropic's Messages API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ANTHROPIC_PROVIDER (confab_anthropic_provider_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAnthropicProvider, confab_anthropic_provider, CONFAB, ANTHROPIC_PROVIDER, ConfabProvider)

G_END_DECLS
