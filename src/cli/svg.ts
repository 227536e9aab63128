/** A dependency-free horizontal bar chart as SVG, for `cellfeed bench --plot`. */

export interface Bar {
  label: string;
  value: number;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function barChartSvg(title: string, unit: string, bars: readonly Bar[]): string {
  const rowHeight = 28;
  const labelWidth = Math.max(120, ...bars.map((b) => b.label.length * 7 + 16));
  const chartWidth = 480;
  const top = 44;
  const height = top + bars.length * rowHeight + 20;
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (b.value / max) * chartWidth);
    const text = `${Math.round(b.value).toLocaleString("en-US")} ${unit}`;
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="#4878a8"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 17}">${escapeXml(text)}</text>`,
    ].join("");
  });
  const width = labelWidth + chartWidth + 160;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...rows,
    "</svg>",
    "",
  ].join("\n");
}
