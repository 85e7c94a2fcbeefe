/**
 * `zod/mini` comes without messages of its own: this gives it zod's English ones, as the full `zod`
 * sets them when it loads, for the issues Retouch's schemas do not word themselves (an answer of the
 * wrong shape, say). Imported by every module of core's schemas.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
