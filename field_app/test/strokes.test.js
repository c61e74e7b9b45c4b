import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_POINTS, strokesProblem, toStrokes } from '../src/strokes.js';

const pad = (strokes) => strokes.map((points) => ({ points }));

test("signature_pad's data becomes protocol strokes: times from the first point, inside the canvas", () => {
  const data = toStrokes(pad([
    [{ x: 10, y: 20, time: 1000, pressure: 0.7 }, { x: 810, y: -5, time: 1016, pressure: 0 }],
    [{ x: 30.04, y: 40, time: 1200, pressure: 2 }],
  ]), 800, 300);
  assert.deepEqual(data.canvas, { width: 800, height: 300 });
  assert.deepEqual(data.strokes[0], [{ x: 10, y: 20, t: 0, pressure: 0.7 }, { x: 800, y: 0, t: 16, pressure: 0.5 }]);
  assert.deepEqual(data.strokes[1], [{ x: 30, y: 40, t: 200, pressure: 1 }]);
});

test('too short a signature is refused before it leaves the device', () => {
  const point = (i) => ({ x: i, y: i, time: i, pressure: 0.5 });
  assert.equal(strokesProblem(toStrokes([], 800, 300)), '请客户在框内签名');
  const short = toStrokes(pad([Array.from({ length: MIN_POINTS - 1 }, (_, i) => point(i))]), 800, 300);
  assert.match(strokesProblem(short), /太短/);
  const enough = toStrokes(pad([Array.from({ length: MIN_POINTS }, (_, i) => point(i))]), 800, 300);
  assert.equal(strokesProblem(enough), null);
});
