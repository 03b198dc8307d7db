/* confab-preferences-window.h: accounts, general and privacy settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-application.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PREFERENCES_WINDOW (confab_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window, CONFAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

ConfabPreferencesWindow *confab_preferences_window_new          (ConfabApplication       *application);
void                     confab_preferences_window_add_account  (ConfabPreferencesWindow *self);
void                     confab_preferences_window_edit_account (ConfabPreferencesWindow *self,
                                                                 const char              *account_id);

G_END_DECLS
