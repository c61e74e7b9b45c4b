/** Entry point: register the service worker (the app then opens offline) and start the app. */
import { start } from './app.js';
import { watchForUpdates } from './update.js';

if ('serviceWorker' in navigator) watchForUpdates(navigator.serviceWorker, document.getElementById('update'));
start(document.getElementById('root'));
