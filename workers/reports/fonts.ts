import bold from 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf';
import regular from 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf';

/**
 * DejaVu Sans, bundled as Data modules (wrangler.toml [[rules]] for *.ttf). Full TTFs, not the
 * WOFF subsets of @fontsource: they carry Cyrillic and the Kazakh letters ә ғ қ ң ө ұ ү һ і.
 */
export const fonts = { regular, bold } as const;
