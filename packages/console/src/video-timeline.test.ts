import { describe, expect, it } from 'vitest';
import { samplingInterval, timelineSpans, videoTime } from './video-timeline.js';

describe('video timeline', () => {
  it('joins samples one interval apart into spans that last one interval past the last', () => {
    expect(timelineSpans([0, 500, 1000, 3000], 500)).toEqual([
      [0, 1500],
      [3000, 3500],
    ]);
    expect(samplingInterval([1000, 0, 500, 500])).toBe(500);
    expect(samplingInterval([])).toBe(500);
    expect(videoTime(75_250)).toBe('1:15.3');
  });
});
