/* confab-code-block.h: a highlighted, read-only code block with a Copy button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_CODE_BLOCK (confab_code_block_get_type ())

G_DECLARE_FINAL_TYPE (ConfabCodeBlock, confab_code_block, CONFAB, CODE_BLOCK, GtkWidget)

GtkWidget  *confab_code_block_new                (const char      *language);
const char *confab_code_block_get_language       (ConfabCodeBlock *self);
const char *confab_code_block_get_language_id    (ConfabCodeBlock *self);
const char *confab_code_block_get_code           (ConfabCodeBlock *self);
void        confab_code_block_set_code           (ConfabCodeBlock *self,
                                                  const char      *code);
char       *confab_code_block_dup_displayed_code (ConfabCodeBlock *self);

G_END_DECLS
