import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frontierLabels, renderCostLatencyChart } from '../src/report/chart.ts';
import { planEmbeddedImages } from '../src/report/embedded-images.ts';
import { renderReport, writeReport } from '../src/report/report-html.ts';
import { temporaryDirectory } from './support/io.ts';
import { writeSyntheticComparison } from './support/synthetic-results.ts';

describe('renderReport', () => {
  it('embeds every image as a data: URI and shows each model with its numbers', async () => {
    const outDir = await temporaryDirectory();
    const results = await writeSyntheticComparison(outDir);
    const html = await readFile(await writeReport({ results, outDir }), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const sources = [...html.matchAll(/<img src="([^"]*)"/g)].map((match) => match[1]!);
    // The input, then the runs of each model that produced an image (one model failed entirely).
    expect(sources).toHaveLength(1 + 2 + 2 + 2 + 1);
    for (const source of sources) expect(source.startsWith('data:image/png;base64,')).toBe(true);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|https?:\/\/(?!www\.w3\.org)/);
    for (const row of results.rows) expect(html).toContain(row.label);
    expect(html).toContain('<span class="pill failed">failed</span>');
    expect(html).toContain('<span class="pill partial">1/2 ok</span>');
    expect(html).toContain('<strong>TimeoutError</strong>oxen: the job did not finish within 120s');
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('Not plotted (no successful run with a known cost): edenai:openai/gpt-image-2.');
    expect(html).toContain('<span class="chip best">fastest</span>');
    expect(html).toContain('<span class="chip best">cheapest</span>');
  });

  it('escapes everything that came from a user or a provider', async () => {
    const outDir = await temporaryDirectory();
    const results = await writeSyntheticComparison(outDir);
    results.prompt = '<img src=x onerror=alert(1)> & "quotes"';
    results.rows[3]!.errors = ['ApiCallError: <b>bad</b> & worse'];
    results.rows[0]!.label = 'label<script>';
    const html = renderReport({ results });
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt; &amp; worse');
    expect(html).toContain('label&lt;script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>bad');
  });

  it('links images past the size budget as files beside the report instead of embedding them', async () => {
    const outDir = await temporaryDirectory();
    const results = await writeSyntheticComparison(outDir);
    const firstOutput = results.runs.find((run) => run.images.length > 0)!.images[0]!;
    const budget = results.inputs[0]!.bytes! + firstOutput.bytes;
    const embedded = planEmbeddedImages({ results, maxEmbeddedBytes: budget });
    expect(embedded).toEqual(['inputs/sample.png', firstOutput.file]);
    const html = await readFile(await writeReport({ results, outDir, maxEmbeddedBytes: budget }), 'utf8');
    const sources = [...html.matchAll(/<img src="([^"]*)"/g)].map((match) => match[1]!);
    expect(sources.filter((source) => source.startsWith('data:'))).toHaveLength(2);
    const linked = sources.filter((source) => !source.startsWith('data:'));
    expect(linked.length).toBeGreaterThan(0);
    for (const source of linked) await readFile(join(outDir, source));
  });
});

describe('renderCostLatencyChart', () => {
  it('plots one point per model with a cost and a latency, and draws the frontier', async () => {
    const results = await writeSyntheticComparison(await temporaryDirectory());
    const svg = renderCostLatencyChart({ rows: results.rows });
    expect(svg.match(/<circle class="dot /g)).toHaveLength(4);
    expect([...frontierLabels(results.rows)].sort()).toEqual([
      'edenai:google/gemini-2.5-flash-image',
      'oxen:flux-kontext-dev',
      'oxen:qwen-image-edit',
    ]);
    expect(svg).toContain('<polyline class="frontier"');
  });

  it('switches to a log scale when prices span an order of magnitude', async () => {
    const results = await writeSyntheticComparison(await temporaryDirectory());
    expect(renderCostLatencyChart({ rows: results.rows })).not.toContain('log scale');
    results.rows[0]!.costPerImageUsd = 0.5;
    expect(renderCostLatencyChart({ rows: results.rows })).toContain('cost per image (USD, log scale)');
  });

  it('draws nothing without a model that has both numbers', () => {
    expect(renderCostLatencyChart({ rows: [] })).toBe('');
  });
});
