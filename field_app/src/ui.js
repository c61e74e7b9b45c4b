/** Preact with htm: tagged templates instead of a JSX build step. */
import { h, render } from 'preact';
import htm from 'htm';

export { render };
export { useEffect, useState, useRef, useCallback } from 'preact/hooks';
export const html = htm.bind(h);
