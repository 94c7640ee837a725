// Headless Chromium for page tests: Debian's chromium driven by playwright-core (INFRA-NOTES: `npx playwright
// install` cannot download its own browser here). deploy/local/install-chromium.sh installs it when missing.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches Chromium; fails (never skips) with the install command when it is missing. Close it yourself. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run "bash deploy/local/install-chromium.sh" (scripts/test-all.sh does).`);
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: flags });
}

export interface PixelStats {
  readonly width: number;
  readonly height: number;
  /** Distinct colours among sampled pixels. */
  readonly colours: number;
  /** Standard deviation of the sampled pixels' luminance (0 for a blank image). */
  readonly stddev: number;
  /** Share of sampled pixels that are not near-white. */
  readonly inked: number;
}

/** Decodes a PNG in the browser (canvas, on a page without a CSP, e.g. a new blank one) and measures it: a blank screenshot has ~0 variance. */
export async function pixelStats(page: Page, png: Buffer): Promise<PixelStats> {
  return page.evaluate(async (b64) => {
    // Runs in the page; the tests' tsconfig has no DOM types, so the few browser APIs used are described here.
    interface Canvas { width: number; height: number; getContext(kind: '2d'): { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }
    const dom = globalThis as unknown as {
      Image: new () => { src: string; decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
      document: { createElement(tag: 'canvas'): Canvas };
    };
    const img = new dom.Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = dom.document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    let n = 0, sum = 0, sumSq = 0, inked = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      colours.add((r << 16) | (g << 8) | b);
      const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      n += 1; sum += y; sumSq += y * y;
      if (y < 235) inked += 1;
    }
    const mean = sum / n;
    return { width: canvas.width, height: canvas.height, colours: colours.size, stddev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), inked: inked / n };
  }, png.toString('base64'));
}
